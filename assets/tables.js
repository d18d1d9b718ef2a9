// Care Atlas: the table behind a chart follows the filters only while it is shown. On a
// filter change an open table's search store takes the new query string (its server
// callback then reads the table again); a closed one keeps its store as it is, so a change
// asks the server nothing for it (it reads the rows when opened). Registered as
// dashboard.components.TABLE_FOLLOWS_URL.
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  tables: {
    followUrlWhenOpen: function (search, clicks) {
      return (clicks || 0) % 2 === 1 ? search : window.dash_clientside.no_update;
    }
  }
});

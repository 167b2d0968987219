// Fills the search box's <datalist> with suggestions as the person types.
(function () {
  "use strict";
  document.querySelectorAll("input[data-suggest-url]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null;
    var last = "";
    function suggest() {
      var prefix = input.value.trim();
      if (!prefix || prefix === last) return;
      last = prefix;
      fetch(input.dataset.suggestUrl + "?q=" + encodeURIComponent(prefix), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
        .then(function (data) {
          list.replaceChildren.apply(list, data.suggestions.map(function (text) {
            var option = document.createElement("option");
            option.value = text;
            return option;
          }));
        })
        .catch(function () { /* suggestions are a convenience; typing still works */ });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(suggest, 200);
    });
    // On a slow phone people start typing before this script has run: catch up with them.
    suggest();
  });
})();

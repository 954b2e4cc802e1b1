// The live auction page: follows /api/v1/auctions/{id}/events (Server-Sent Events) and updates the
// price, the bid count, the history, the next minimum bid and the countdown. Without this script
// (or without EventSource) the page still works: a refresh shows the same figures.
(function () {
  "use strict";
  var box = document.querySelector(".auction-live");
  if (!box) { return; }
  var id = box.getAttribute("data-auction");
  var increment = parseInt(box.getAttribute("data-increment"), 10) || 0;
  var ends = Date.parse(box.getAttribute("data-ends"));
  var starts = Date.parse(box.getAttribute("data-starts"));
  var phase = box.getAttribute("data-phase");
  var countdown = document.getElementById("countdown");
  var price = document.getElementById("current-price");
  var count = document.getElementById("bid-count");
  var history = document.querySelector("#bid-history tbody");
  var minimum = document.getElementById("next-minimum");
  var amount = document.getElementById("bid-amount");
  var status = document.getElementById("auction-status");

  function wan(fen) {
    var whole = Math.floor(fen / 1000000);
    var rest = String(fen % 1000000);
    while (rest.length < 6) { rest = "0" + rest; }
    rest = rest.replace(/0+$/, "");
    return rest ? whole + "." + rest : String(whole);
  }

  function two(n) { return n < 10 ? "0" + n : String(n); }

  function tick() {
    if (phase !== "running" && phase !== "coming") { return; }
    var now = Date.now();
    var target = phase === "coming" ? starts : ends;
    var left = Math.max(0, Math.floor((target - now) / 1000));
    var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
    var text = (h > 0 ? h + ":" : "") + two(m) + ":" + two(s);
    countdown.textContent = phase === "coming" ? "距开始 " + text : "剩余 " + text;
    if (left === 0 && phase === "running") { countdown.textContent = "已到结束时间，结果确认中"; }
    if (left === 0 && phase === "coming") { phase = "running"; }
  }

  function onBid(data) {
    price.textContent = data.price_text;
    count.textContent = String(data.bid_count);
    ends = Date.parse(data.ends_at);
    var next = data.amount_fen + increment;
    if (minimum) { minimum.textContent = wan(next) + "万元"; }
    if (amount && document.activeElement !== amount) { amount.value = wan(next); }
    if (history) {
      var row = document.createElement("tr");
      [String(data.seq), data.bidder, data.price_text, data.placed_at].forEach(function (text, i) {
        var cell = document.createElement("td");
        cell.textContent = text;
        if (i === 2) { cell.className = "amount"; }
        row.appendChild(cell);
      });
      history.insertBefore(row, history.firstChild);
      var empty = document.getElementById("no-bids");
      if (empty) { empty.remove(); }
    }
    if (data.extended) { document.getElementById("ends-label").textContent = "结束时间已顺延"; }
  }

  function onClosed(data) {
    phase = data.status;
    countdown.textContent = data.status_label;
    if (status) { status.textContent = data.status_label; }
    var form = document.getElementById("bid-form");
    if (form) { form.remove(); }
  }

  setInterval(tick, 1000);
  tick();
  if (!window.EventSource || (phase !== "running" && phase !== "coming")) { return; }
  var source = new EventSource("/api/v1/auctions/" + encodeURIComponent(id) + "/events");
  source.addEventListener("bid", function (e) { onBid(JSON.parse(e.data)); });
  source.addEventListener("closed", function (e) { onClosed(JSON.parse(e.data)); source.close(); });
})();

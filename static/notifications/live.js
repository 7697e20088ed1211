// Live status over the WebSocket: rows and detail pages change status without a
// reload, the bell counts unread notifications, and an approver's to-do list
// gains, changes or drops exactly the row an event concerns (never re-fetching
// the page).  Reconnects with backoff and asks for what it missed.
(function () {
  const KEY = "sw-last-event";
  let delay = 1000;
  let lastId = parseInt(sessionStorage.getItem(KEY) || "0", 10);

  function setText(selector, text) {
    document.querySelectorAll(selector).forEach((el) => { el.textContent = text; el.classList.add("live-updated"); });
  }

  function onStatus(event) {
    if (event.id && event.id > lastId) {
      lastId = event.id;
      sessionStorage.setItem(KEY, String(lastId));
    }
    if (event.subject === "application") {
      setText(`[data-number="${event.number}"] .status`, event.status_label);
      setText(`#status[data-number="${event.number}"]`, event.status_label);
    } else if (event.subject === "certificate") {
      setText(`[data-certificate="${event.certificate_number}"] .customs-status`, event.status_label);
      setText(`#customs-status[data-certificate="${event.certificate_number}"]`, event.status_label);
    }
  }

  function cell(text) {
    const td = document.createElement("td");
    td.textContent = text || "";
    return td;
  }

  // One row of the to-do list, built from the event: number, enterprise, the
  // system's own columns, status, submitted.
  function buildRow(row) {
    const tr = document.createElement("tr");
    tr.dataset.number = row.number;
    const number = document.createElement("td");
    const link = document.createElement("a");
    link.href = row.url;
    link.textContent = row.number;
    number.appendChild(link);
    tr.appendChild(number);
    tr.appendChild(cell(row.enterprise));
    (row.columns || []).forEach((value) => tr.appendChild(cell(value)));
    const status = cell(row.status_label);
    status.className = "status";
    tr.appendChild(status);
    tr.appendChild(cell(row.submitted));
    tr.classList.add("live-updated");
    return tr;
  }

  function adjustCount(list, delta) {
    if (list.dataset.countExact !== "1") return;
    const count = list.querySelector("[data-count]");
    if (!count) return;
    const value = Math.max(0, (parseInt(count.textContent.replace(/,/g, ""), 10) || 0) + delta);
    count.textContent = value.toLocaleString("en-US");
  }

  function onQueue(data) {
    const list = document.querySelector("[data-live-queue]");
    if (!list || list.dataset.system !== data.system || list.dataset.queue !== data.queue) return;
    const body = list.querySelector("tbody");
    const existing = body.querySelector(`tr[data-number="${data.row.number}"]`);
    if (data.action === "removed") {
      if (existing) existing.remove();
      adjustCount(list, -1);
    } else if (data.action === "changed") {
      if (existing) {
        const status = existing.querySelector(".status");
        if (status) status.textContent = data.row.status_label;
      }
    } else if (data.action === "added" && !existing) {
      adjustCount(list, 1);
      // Oldest first: a new arrival belongs at the end, shown only on the last page.
      if (list.dataset.lastPage === "1") {
        const empty = body.querySelector("tr.empty");
        if (empty) empty.remove();
        body.appendChild(buildRow(data.row));
      }
    }
  }

  function connect() {
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${window.location.host}/ws/status/`);
    socket.addEventListener("open", () => {
      delay = 1000;
      socket.send(JSON.stringify({ type: "catch_up", after: lastId }));
    });
    socket.addEventListener("message", (message) => {
      const data = JSON.parse(message.data);
      if (data.type === "status") onStatus(data);
      if (data.type === "notification") { onStatus(data); setText("#bell-count", data.unread); }
      if (data.type === "unread" || data.type === "hello") setText("#bell-count", data.unread);
      if (data.type === "queue") onQueue(data);
      document.dispatchEvent(new CustomEvent("sw:live", { detail: data }));
    });
    socket.addEventListener("close", () => {
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    });
    window.swSocket = socket;
  }

  // The page was rendered with everything up to this event: catch up from there.
  const rendered = document.querySelector("[data-latest-event]");
  if (rendered) lastId = Math.max(lastId, parseInt(rendered.dataset.latestEvent, 10) || 0);
  connect();
})();

/* Web chat of the assistant « Territoires zéro non-recours ».
 *
 * Talks to the JSON API (shared/spec/chat.md):
 *   POST /api/chat                    {"source"}                        -> {"conversation_id", "messages"}
 *   POST /api/chat/{id}/messages      {"text"|"payload", "client_message_id"} -> {"messages"}
 *
 * Rules kept here:
 * - Bot text goes into the page as text nodes (textContent), never parsed as HTML.
 * - A message is never lost nor sent twice: it waits in a queue kept in sessionStorage with a
 *   random client_message_id; after a network loss or a 5xx it is sent again with the same id, and
 *   the server answers a repeated id with the same reply.
 * - The conversation id and the transcript live in sessionStorage: a reload continues.
 * - Focus is only moved when the element that had it disappears (a chosen button); new bot messages
 *   are announced by the role="log" region, never by moving focus.
 */
(function () {
  "use strict";

  var STORE_KEY = "tzn-chat-v1";
  var CODE_RE = /^[A-Za-z0-9_-]{1,64}$/;
  var REQUEST_TIMEOUT_MS = 60000;
  var FIRST_RETRY_MS = 1000;
  var MAX_RETRY_MS = 30000;
  var HUMAN = { title: "Je voudrais parler à une personne", payload: "/ask_human" };
  var TEXT = {
    typing: "L'assistant écrit…",
    offline: "Connexion perdue, nouvel essai…",
    back: "Connexion rétablie.",
    pending: "Pas encore envoyé",
    bot: "L'assistant : ",
    me: "Vous : ",
    choices: "Choisissez une réponse",
    empty: "Écrivez votre réponse, puis appuyez sur « Envoyer ».",
    ended: "Cette conversation est terminée. Appuyez sur « Recommencer ».",
    failed: "Le message n'a pas pu être envoyé. Réessayez.",
    confirmRestart: "Effacer cette conversation et recommencer ?"
  };

  var els = {
    log: document.getElementById("log"),
    status: document.getElementById("status"),
    statusText: document.getElementById("status-text"),
    error: document.getElementById("error"),
    form: document.getElementById("composer"),
    input: document.getElementById("message"),
    send: document.getElementById("send"),
    human: document.getElementById("human"),
    restart: document.getElementById("restart")
  };

  var reducedMotion = !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);

  // ---- state, kept in sessionStorage ---------------------------------------------------------

  function sourceFromAddress() {
    var match = /^\/c\/([^\/]*)$/.exec(window.location.pathname);
    if (!match) return null;
    var code;
    try { code = decodeURIComponent(match[1]); } catch (e) { return null; }
    return CODE_RE.test(code) ? code : null;
  }

  function fresh(source) {
    // items: the transcript, {k, who: "bot"|"me", text, pending}
    // choices: the open buttons, {k: key of the bot item they follow, buttons: [{title, payload}]}
    // queue: messages not yet answered, in order, {id: client_message_id, k, text | payload}
    return { v: 1, source: source, conversationId: null, ended: false, seq: 0,
             items: [], choices: null, queue: [], ask: null };
  }

  function load(source) {
    var stored;
    try { stored = JSON.parse(window.sessionStorage.getItem(STORE_KEY) || "null"); } catch (e) { stored = null; }
    if (!stored || stored.v !== 1 || stored.ended || !Array.isArray(stored.items) || !Array.isArray(stored.queue)) {
      return null;
    }
    // Another poster's code in this tab: a new conversation, tagged with that code.
    if (source && stored.source !== source) return null;
    return stored;
  }

  function save() {
    try { window.sessionStorage.setItem(STORE_KEY, JSON.stringify(state)); } catch (e) { /* storage full or off */ }
  }

  var state = load(sourceFromAddress()) || fresh(sourceFromAddress());

  // ---- rendering (text only) -------------------------------------------------------------------

  var LINK_RE = /https:\/\/[^\s<>"«»]*[^\s<>"«».,;:!?)]/g;

  /** Append `text` to `parent` as text nodes; https addresses become links. Never HTML. */
  function appendText(parent, text) {
    var last = 0;
    var match;
    LINK_RE.lastIndex = 0;
    while ((match = LINK_RE.exec(text)) !== null) {
      parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      var link = document.createElement("a");
      link.href = match[0];
      link.rel = "noopener noreferrer";
      link.textContent = match[0];
      parent.appendChild(link);
      last = match.index + match[0].length;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function nodeOf(k) {
    return els.log.querySelector('[data-k="' + Number(k) + '"]');
  }

  function renderItem(item) {
    var node = document.createElement("div");
    node.className = "msg msg-" + (item.who === "me" ? "me" : "bot") + (item.pending ? " is-pending" : "");
    node.setAttribute("data-k", String(item.k));
    if (item.text) {
      var bubble = document.createElement("p");
      bubble.className = "bubble";
      var who = document.createElement("span");
      who.className = "visually-hidden";
      who.textContent = item.who === "me" ? TEXT.me : TEXT.bot;
      bubble.appendChild(who);
      appendText(bubble, item.text);
      node.appendChild(bubble);
    }
    if (item.pending) {
      var note = document.createElement("p");
      note.className = "pending-note";
      note.textContent = TEXT.pending;
      node.appendChild(note);
    }
    return node;
  }

  function renderChoices(choices) {
    var group = document.createElement("div");
    group.className = "choices";
    group.id = "choices";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", TEXT.choices);
    choices.buttons.forEach(function (button) {
      var element = document.createElement("button");
      element.type = "button";
      element.className = "choice";
      element.textContent = button.title;
      element.addEventListener("click", function () { choose(button, true); });
      group.appendChild(element);
    });
    return group;
  }

  function showChoices() {
    var old = document.getElementById("choices");
    if (old) old.parentNode.removeChild(old);
    if (!state.choices || state.queue.length || state.ended) return null;
    var anchor = nodeOf(state.choices.k);
    if (!anchor) return null;
    var group = renderChoices(state.choices);
    anchor.parentNode.insertBefore(group, anchor.nextSibling);
    return group;
  }

  function closeChoices() {
    state.choices = null;
    showChoices();
  }

  /** Bring new content into view above the reply area, its start first, without touching focus. */
  function reveal(first, last) {
    var composer = els.form.parentNode;
    var top = window.pageYOffset || document.documentElement.scrollTop || 0;
    var firstTop = first.getBoundingClientRect().top + top - 12;
    var lastBottom = last.getBoundingClientRect().bottom + top + composer.offsetHeight + 12;
    var target = Math.max(top, Math.min(firstTop, lastBottom - window.innerHeight));
    if (target <= top + 1) return;
    try {
      window.scrollTo({ top: target, behavior: reducedMotion ? "auto" : "smooth" });
    } catch (e) {
      window.scrollTo(0, target);
    }
  }

  function renderAll() {
    els.log.textContent = "";
    state.items.forEach(function (item) { els.log.appendChild(renderItem(item)); });
    showChoices();
    setAsk(state.ask);
    setEnded(state.ended);
    if (state.items.length) window.scrollTo(0, document.documentElement.scrollHeight);
  }

  // ---- status line, errors ---------------------------------------------------------------------

  var connection = "ok"; // "ok" | "lost"

  /** The reply area grew (a status, an error): keep the last message from hiding behind it. */
  function keepLastVisible() {
    var last = els.log.lastElementChild;
    if (last) reveal(last, last);
  }

  function setStatus(kind, text) {
    var changed = els.statusText.textContent !== text;
    els.status.className = "status" + (kind ? " is-" + kind : "");
    if (changed) els.statusText.textContent = text;
    els.log.classList.toggle("is-waiting", kind === "lost");
    if (changed && text) keepLastVisible();
  }

  function showError(text) {
    els.error.textContent = text;
    els.error.hidden = false;
    keepLastVisible();
  }

  function clearError() {
    els.error.hidden = true;
    els.error.textContent = "";
  }

  function setEnded(ended) {
    els.input.disabled = ended;
    els.send.disabled = ended;
    els.human.disabled = ended;
  }

  function setAsk(ask) {
    // A phone number can be filled from the phone's own memory (WCAG 1.3.5); nothing else is.
    els.input.setAttribute("autocomplete", ask === "phone" ? "tel" : "off");
  }

  // ---- messages --------------------------------------------------------------------------------

  function newId() {
    var bytes = new Uint8Array(16);
    if (window.crypto && window.crypto.getRandomValues) {
      window.crypto.getRandomValues(bytes);
    } else {
      for (var i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
    }
    return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
  }

  function cleanMessages(messages) {
    return messages.filter(function (m) { return m && typeof m === "object"; }).map(function (m) {
      var buttons = Array.isArray(m.buttons) ? m.buttons.filter(function (b) {
        return b && typeof b.title === "string" && typeof b.payload === "string" && b.payload;
      }).map(function (b) { return { title: b.title, payload: b.payload }; }) : [];
      return { text: typeof m.text === "string" ? m.text : "", buttons: buttons,
               ask: typeof m.ask === "string" ? m.ask : null };
    });
  }

  /** Put the bot's messages in the transcript, before node `before` (or at the end). */
  function addBotMessages(messages, indexBefore, before) {
    var opening = state.items.length === 0;
    var clean = cleanMessages(messages);
    var added = [];
    var choices = null;
    clean.forEach(function (m) {
      var item = { k: ++state.seq, who: "bot", text: m.text, pending: false };
      added.push(item);
      if (m.buttons.length) choices = { k: item.k, buttons: m.buttons };
    });
    Array.prototype.splice.apply(state.items, [indexBefore, 0].concat(added));
    var nodes = added.map(function (item) {
      var node = renderItem(item);
      els.log.insertBefore(node, before || null);
      return node;
    });
    if (clean.length) {
      state.ask = clean[clean.length - 1].ask;
      setAsk(state.ask);
    }
    state.choices = choices;
    var group = showChoices();
    // The first messages are read from the top of the page, title and notice included.
    if (nodes.length && !opening) reveal(nodes[0], group || nodes[nodes.length - 1]);
  }

  /** A message from the person: shown at once, queued, sent as soon as possible. */
  function enqueue(shown, body) {
    clearError();
    var item = { k: ++state.seq, who: "me", text: shown, pending: true };
    // The choices that were open, to give them back if the API refuses this message.
    var entry = { id: newId(), k: item.k, reopen: state.choices };
    if (body.payload !== undefined) entry.payload = body.payload; else entry.text = body.text;
    state.items.push(item);
    state.queue.push(entry);
    closeChoices();
    save();
    var node = renderItem(item);
    els.log.appendChild(node);
    reveal(node, node);
    pump();
    return node;
  }

  function choose(button, fromChoices) {
    if (state.ended) { showError(TEXT.ended); return; }
    var node = enqueue(button.title, { payload: button.payload });
    if (fromChoices) {
      // The button that had focus is gone: put focus on what it became, the person's own message.
      node.setAttribute("tabindex", "-1");
      try { node.focus({ preventScroll: true }); } catch (e) { node.focus(); }
    }
  }

  function indexOfKey(k) {
    for (var i = 0; i < state.items.length; i++) if (state.items[i].k === k) return i;
    return -1;
  }

  function markSent(k) {
    var index = indexOfKey(k);
    if (index >= 0) state.items[index].pending = false;
    var node = nodeOf(k);
    if (node) {
      node.classList.remove("is-pending");
      var note = node.querySelector(".pending-note");
      if (note) node.removeChild(note);
    }
    return index;
  }

  function dropItem(k) {
    var index = indexOfKey(k);
    if (index >= 0) state.items.splice(index, 1);
    var node = nodeOf(k);
    if (node) node.parentNode.removeChild(node);
  }

  // ---- the network: one request at a time, retried until it gets an answer --------------------

  var inflight = null;
  var retryTimer = null;
  var attempt = 0;
  var generation = 0;

  function openOperation() {
    return {
      url: "/api/chat",
      body: { source: state.source || null },
      valid: function (data) { return typeof data.conversation_id === "string" && Array.isArray(data.messages); },
      done: function (data) {
        state.conversationId = data.conversation_id;
        // Before anything the person typed while the page was opening.
        var first = state.queue.length ? indexOfKey(state.queue[0].k) : -1;
        addBotMessages(data.messages, first >= 0 ? first : state.items.length,
                       state.queue.length ? nodeOf(state.queue[0].k) : null);
      },
      refused: function (status, detail) {
        showError(detail || TEXT.failed);
      }
    };
  }

  function sendOperation(entry) {
    var body = { client_message_id: entry.id };
    if (entry.payload !== undefined) body.payload = entry.payload; else body.text = entry.text;
    return {
      url: "/api/chat/" + encodeURIComponent(state.conversationId) + "/messages",
      body: body,
      valid: function (data) { return Array.isArray(data.messages); },
      done: function (data) {
        state.queue.shift();
        var index = markSent(entry.k);
        var next = nodeOf(entry.k);
        addBotMessages(data.messages, index + 1, next ? next.nextSibling : null);
      },
      refused: function (status, detail) {
        if (status === 404) {
          // The conversation was erased or has expired: nothing more can be sent to it.
          state.queue.forEach(function (queued) { markSent(queued.k); });
          state.queue = [];
          state.ended = true;
          state.conversationId = null;
          setEnded(true);
          closeChoices();
          showError(detail || TEXT.ended);
          return;
        }
        // Refused for good (too long, unknown button...): give the text back, say why.
        state.queue.shift();
        dropItem(entry.k);
        if (entry.text !== undefined && !els.input.value) els.input.value = entry.text;
        if (!state.queue.length) {
          // The bot's question is still open: its buttons come back.
          if (!state.choices && entry.reopen) state.choices = entry.reopen;
          showChoices();
        }
        showError(detail || TEXT.failed);
      }
    };
  }

  function pump() {
    if (inflight || retryTimer || state.ended) return;
    if (!state.conversationId) {
      run(openOperation());
    } else if (state.queue.length) {
      run(sendOperation(state.queue[0]));
    }
  }

  function run(operation) {
    var mine = generation;
    var controller = typeof window.AbortController === "function" ? new window.AbortController() : null;
    var timer = controller ? window.setTimeout(function () { controller.abort(); }, REQUEST_TIMEOUT_MS) : null;
    inflight = controller || {};
    if (connection === "ok") setStatus("typing", TEXT.typing);
    window.fetch(operation.url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(operation.body),
      credentials: "same-origin",
      cache: "no-store",
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      // The body can be cut too: that is a network failure like any other.
      return response.text().then(function (raw) {
        var data = null;
        try { data = raw ? JSON.parse(raw) : null; } catch (e) { data = null; }
        return { status: response.status, data: data, retryAfter: response.headers.get("Retry-After") };
      });
    }).then(null, function () {
      return { status: 0, data: null, retryAfter: null };
    }).then(function (result) {
      if (timer) window.clearTimeout(timer);
      if (mine !== generation) return; // « Recommencer » was pressed meanwhile
      inflight = null;
      settle(operation, result);
    });
  }

  function detailOf(data) {
    return data && typeof data.detail === "string" ? data.detail : "";
  }

  function settle(operation, result) {
    var status = result.status;
    var data = result.data && typeof result.data === "object" ? result.data : null;
    if (status >= 200 && status < 300 && data && operation.valid(data)) {
      attempt = 0;
      if (connection === "lost") {
        connection = "ok";
        setStatus("", TEXT.back);
      } else {
        setStatus("", "");
      }
      operation.done(data);
      save();
      pump();
      return;
    }
    // No answer, a cut answer (or a captive portal's page), a server starting or overloaded:
    // keep the message and try again, with the same client_message_id.
    if (status === 0 || status === 408 || status === 429 || status >= 500 || (status >= 200 && status < 300)) {
      connection = "lost";
      setStatus("lost", ((status === 503 || status === 429) && detailOf(data)) || TEXT.offline);
      attempt += 1;
      scheduleRetry(result.retryAfter);
      return;
    }
    // Refused by the API (4xx): its French `detail` says why.
    attempt = 0;
    connection = "ok";
    setStatus("", "");
    operation.refused(status, detailOf(data));
    save();
    pump();
  }

  function scheduleRetry(retryAfter) {
    var delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * Math.pow(2, attempt - 1));
    var asked = parseInt(retryAfter || "", 10);
    if (asked > 0) delay = Math.min(MAX_RETRY_MS, Math.max(delay, asked * 1000));
    delay = Math.round(delay * (0.8 + Math.random() * 0.4));
    retryTimer = window.setTimeout(function () {
      retryTimer = null;
      pump();
    }, delay);
  }

  /** Back online, or the phone woke up: do not wait for the timer. */
  function retryNow() {
    if (!retryTimer) return;
    window.clearTimeout(retryTimer);
    retryTimer = null;
    pump();
  }

  function restart() {
    if (state.items.length && !window.confirm(TEXT.confirmRestart)) return;
    generation += 1;
    if (inflight && typeof inflight.abort === "function") inflight.abort();
    inflight = null;
    if (retryTimer) window.clearTimeout(retryTimer);
    retryTimer = null;
    attempt = 0;
    connection = "ok";
    state = fresh(state.source);
    save();
    clearError();
    setStatus("", "");
    els.input.value = "";
    renderAll();
    pump();
  }

  // ---- wiring ------------------------------------------------------------------------------------

  els.form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (state.ended) { showError(TEXT.ended); return; }
    var text = els.input.value.replace(/^\s+|\s+$/g, "");
    if (!text) {
      showError(TEXT.empty);
      els.input.focus();
      return;
    }
    els.input.value = "";
    enqueue(text, { text: text });
  });
  els.human.addEventListener("click", function () { choose(HUMAN, false); });
  els.restart.addEventListener("click", restart);
  window.addEventListener("online", retryNow);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") retryNow();
  });

  renderAll();
  save();
  pump();
}());

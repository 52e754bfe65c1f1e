// The chat page: plain JavaScript, no framework. It speaks the JSON protocol of the app README over
// one WebSocket, reconnects by itself with backoff and rejoins its room. User text is only ever put
// into the page with textContent, never as markup.

(() => {
  const RECONNECT_BASE_MS = 500;
  const RECONNECT_MAX_MS = 10000;
  const TYPING_SEND_EVERY_MS = 2000;
  const TYPING_IDLE_MS = 3000;
  const TYPING_SHOWN_MS = 5000;
  const ROOMS_REFRESH_MS = 15000;
  const EARLY_LINES_KEPT = 50;

  const $ = (id) => document.getElementById(id);
  const el = {
    status: $('status'),
    currentRoom: $('current-room'),
    sidebarToggle: $('sidebar-toggle'),
    sidebar: $('sidebar'),
    joinView: $('join-view'),
    joinForm: $('join-form'),
    joinName: $('join-name'),
    joinRoom: $('join-room'),
    joinError: $('join-error'),
    joinButton: $('join-button'),
    joinRooms: $('join-rooms'),
    roomSuggestions: $('room-suggestions'),
    chatView: $('chat-view'),
    rooms: $('rooms'),
    newRoomForm: $('new-room-form'),
    newRoom: $('new-room'),
    members: $('members'),
    memberCount: $('member-count'),
    messages: $('messages'),
    typing: $('typing'),
    chatError: $('chat-error'),
    composer: $('composer'),
    input: $('message-input'),
    send: $('send-button'),
    dmTarget: $('dm-target'),
    dmLabel: $('dm-label'),
    dmCancel: $('dm-cancel'),
  };

  const state = {
    socket: null,
    connected: false,
    attempt: 0,
    reconnectTimer: null,
    countdownTimer: null,
    /** What the user asked for; sent again after every reconnect. */
    wanted: null,
    joined: false,
    you: null,
    room: null,
    members: new Map(),
    seen: new Set(),
    /** Lines of another room, kept until the next `joined`: they may belong to the room being joined. */
    early: [],
    typing: new Map(),
    dm: null,
    lastTypingSent: 0,
    typingIdleTimer: null,
  };

  // ---- connection --------------------------------------------------------------------------

  function setStatus(kind, text) {
    el.status.dataset.state = kind;
    el.status.textContent = text;
    updateControls();
  }

  function connect() {
    clearTimeout(state.reconnectTimer);
    clearInterval(state.countdownTimer);
    state.reconnectTimer = null;
    if (state.socket) return;
    setStatus('connecting', state.attempt === 0 ? 'Connecting…' : 'Reconnecting…');
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const socket = new WebSocket(`${scheme}://${location.host}/ws`);
    state.socket = socket;
    socket.addEventListener('open', () => {
      state.connected = true;
      state.attempt = 0;
      setStatus('connected', 'Connected');
      if (state.wanted) send({ type: 'join', name: state.wanted.name, room: state.wanted.room });
    });
    socket.addEventListener('message', (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      handle(message);
    });
    socket.addEventListener('close', () => {
      if (state.socket !== socket) return;
      state.socket = null;
      state.connected = false;
      state.joined = false;
      clearTyping();
      scheduleReconnect();
    });
  }

  function scheduleReconnect() {
    const ceiling = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** state.attempt);
    // Jitter spreads the reconnects of many pages after a restart.
    const delay = Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
    state.attempt += 1;
    const due = Date.now() + delay;
    const show = () => {
      const seconds = Math.max(0, Math.ceil((due - Date.now()) / 1000));
      setStatus(
        'disconnected',
        navigator.onLine === false
          ? 'Offline — waiting for the network'
          : `Disconnected — retrying in ${seconds} s`,
      );
    };
    show();
    state.countdownTimer = setInterval(show, 1000);
    state.reconnectTimer = setTimeout(connect, delay);
  }

  function send(message) {
    if (!state.socket || state.socket.readyState !== WebSocket.OPEN) return false;
    state.socket.send(JSON.stringify(message));
    return true;
  }

  window.addEventListener('online', () => {
    if (!state.socket) {
      state.attempt = 0;
      connect();
    }
  });
  window.addEventListener('offline', () => {
    if (!state.connected) setStatus('disconnected', 'Offline — waiting for the network');
  });

  // ---- server messages ---------------------------------------------------------------------

  function handle(message) {
    switch (message.type) {
      case 'welcome':
        if (message.limits) {
          el.input.maxLength = message.limits.maxTextLength;
          el.joinName.maxLength = message.limits.maxNameLength;
          el.joinRoom.maxLength = message.limits.maxRoomLength;
        }
        break;
      case 'joined':
        onJoined(message);
        break;
      case 'left':
        break;
      case 'message':
        if (message.room === state.room) addChatLine(message);
        else if (state.early.push(message) > EARLY_LINES_KEPT) state.early.shift();
        clearTypingOf(message.from.id);
        break;
      case 'private':
        addPrivate(message);
        break;
      case 'member_joined':
        if (message.room !== state.room) break;
        if (!state.members.has(message.member.id)) addNotice(`${message.member.name} joined`);
        state.members.set(message.member.id, message.member);
        renderMembers();
        refreshRooms();
        break;
      case 'member_left':
        if (message.room !== state.room) break;
        state.members.delete(message.member.id);
        clearTypingOf(message.member.id);
        addNotice(`${message.member.name} left`);
        renderMembers();
        refreshRooms();
        break;
      case 'typing':
        if (message.room === state.room) onTyping(message);
        break;
      case 'rooms':
        renderRooms(message.rooms);
        break;
      case 'announcement':
        addNotice(`📣 ${message.text}`, 'announcement');
        break;
      case 'error':
        onError(message);
        break;
    }
  }

  function onJoined(message) {
    const switched = state.room !== message.room;
    state.joined = true;
    state.you = message.you;
    state.room = message.room;
    state.wanted = { name: message.you.name, room: message.room };
    sessionStorage.setItem('chat.name', message.you.name);
    if (location.hash !== `#${encodeURIComponent(message.room)}`) {
      history.replaceState(null, '', `#${encodeURIComponent(message.room)}`);
    }
    state.members = new Map(message.members.map((member) => [member.id, member]));
    if (switched) {
      el.messages.replaceChildren();
      state.seen.clear();
      setDm(null);
    }
    // A line stored just after the server read the history can arrive before `joined`: it is newer.
    const early = state.early.filter((line) => line.room === message.room);
    state.early = [];
    for (const line of [...message.history, ...early]) addChatLine(line);
    if (!switched) addNotice('Reconnected');
    el.currentRoom.textContent = `# ${message.room}`;
    document.title = `${message.room} · Arcade chat`;
    el.joinView.hidden = true;
    el.chatView.hidden = false;
    el.sidebarToggle.hidden = false;
    el.joinError.textContent = '';
    el.chatError.textContent = '';
    renderMembers();
    refreshRooms();
    updateControls();
    closeSidebar();
    el.input.focus();
  }

  function onError(message) {
    const target = state.joined ? el.chatError : el.joinError;
    target.textContent = message.message;
    if (message.requestType === 'join' && !state.joined) state.wanted = null;
    if (message.code === 'rate_limited' && message.retryAfterMs) {
      setTimeout(() => {
        if (target.textContent === message.message) target.textContent = '';
      }, message.retryAfterMs);
    }
    updateControls();
  }

  // ---- rendering ---------------------------------------------------------------------------

  function formatTime(iso) {
    const date = new Date(iso);
    return Number.isNaN(date.getTime())
      ? ''
      : date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  }

  function stickToBottom(render) {
    const list = el.messages;
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    render();
    if (atBottom) list.scrollTop = list.scrollHeight;
  }

  function messageItem(className, author, at, text) {
    const item = document.createElement('li');
    item.className = className;
    const meta = document.createElement('div');
    meta.className = 'meta';
    const who = document.createElement('span');
    who.className = 'author';
    who.textContent = author;
    const when = document.createElement('time');
    when.dateTime = at;
    when.textContent = formatTime(at);
    meta.append(who, when);
    const body = document.createElement('p');
    body.className = 'text';
    body.textContent = text;
    item.append(meta, body);
    return item;
  }

  function addChatLine(line) {
    if (state.seen.has(line.id)) return;
    state.seen.add(line.id);
    const mine = state.you && line.from.id === state.you.id;
    stickToBottom(() =>
      el.messages.append(messageItem(mine ? 'message mine' : 'message', line.from.name, line.at, line.text)),
    );
  }

  function addPrivate(message) {
    if (state.seen.has(message.id)) return;
    state.seen.add(message.id);
    const outgoing = state.you && message.from.id === state.you.id;
    const label = outgoing ? `You → ${message.to.name} (private)` : `${message.from.name} → you (private)`;
    stickToBottom(() =>
      el.messages.append(
        messageItem(`message private${outgoing ? ' mine' : ''}`, label, message.at, message.text),
      ),
    );
  }

  function addNotice(text, extraClass) {
    const item = document.createElement('li');
    item.className = extraClass ? `notice ${extraClass}` : 'notice';
    item.textContent = text;
    stickToBottom(() => el.messages.append(item));
  }

  function renderMembers() {
    const members = [...state.members.values()].sort((a, b) => a.name.localeCompare(b.name));
    el.memberCount.textContent = `(${members.length})`;
    el.members.replaceChildren(
      ...members.map((member) => {
        const item = document.createElement('li');
        const button = document.createElement('button');
        button.type = 'button';
        const name = document.createElement('span');
        const isYou = state.you && member.id === state.you.id;
        name.textContent = isYou ? `${member.name} (you)` : member.name;
        button.append(name);
        if (isYou) {
          button.disabled = true;
        } else {
          button.setAttribute('aria-label', `Send a private message to ${member.name}`);
          button.addEventListener('click', () => {
            setDm(member);
            closeSidebar();
            el.input.focus();
          });
        }
        item.append(button);
        return item;
      }),
    );
  }

  function roomButton(room, onChoose) {
    const item = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    const name = document.createElement('span');
    name.textContent = room.name;
    const badge = document.createElement('span');
    badge.className = 'badge';
    badge.textContent = String(room.memberCount);
    badge.setAttribute('aria-label', `${room.memberCount} ${room.memberCount === 1 ? 'person' : 'people'}`);
    button.append(name, badge);
    if (room.name === state.room) button.setAttribute('aria-current', 'true');
    button.addEventListener('click', () => onChoose(room.name));
    item.append(button);
    return item;
  }

  function renderRooms(rooms) {
    el.roomSuggestions.replaceChildren(
      ...rooms.map((room) => {
        const option = document.createElement('option');
        option.value = room.name;
        return option;
      }),
    );
    el.joinRooms.replaceChildren(
      ...rooms.map((room) =>
        roomButton(room, (name) => {
          el.joinRoom.value = name;
          el.joinName.focus();
        }),
      ),
    );
    el.rooms.replaceChildren(...rooms.map((room) => roomButton(room, (name) => switchRoom(name))));
  }

  let roomsRequest = null;
  function refreshRooms() {
    if (roomsRequest) return;
    roomsRequest = fetch('/api/rooms', { headers: { accept: 'application/json' } })
      .then((response) => (response.ok ? response.json() : null))
      .then((body) => {
        if (body && Array.isArray(body.rooms)) renderRooms(body.rooms);
      })
      .catch(() => {})
      .finally(() => {
        roomsRequest = null;
      });
  }

  // ---- typing ------------------------------------------------------------------------------

  function onTyping(message) {
    const previous = state.typing.get(message.from.id);
    if (previous) clearTimeout(previous.timer);
    if (message.typing) {
      const timer = setTimeout(() => clearTypingOf(message.from.id), TYPING_SHOWN_MS);
      state.typing.set(message.from.id, { name: message.from.name, timer });
    } else {
      state.typing.delete(message.from.id);
    }
    renderTyping();
  }

  function clearTypingOf(id) {
    const entry = state.typing.get(id);
    if (!entry) return;
    clearTimeout(entry.timer);
    state.typing.delete(id);
    renderTyping();
  }

  function clearTyping() {
    for (const entry of state.typing.values()) clearTimeout(entry.timer);
    state.typing.clear();
    renderTyping();
  }

  function renderTyping() {
    const names = [...state.typing.values()].map((entry) => entry.name);
    if (names.length === 0) el.typing.textContent = '';
    else if (names.length === 1) el.typing.textContent = `${names[0]} is typing…`;
    else if (names.length <= 3)
      el.typing.textContent = `${names.slice(0, -1).join(', ')} and ${names.at(-1)} are typing…`;
    else el.typing.textContent = 'Several people are typing…';
  }

  function sendTyping(typing) {
    if (!state.joined) return;
    if (typing) {
      const now = Date.now();
      if (now - state.lastTypingSent >= TYPING_SEND_EVERY_MS) {
        state.lastTypingSent = now;
        send({ type: 'typing', typing: true });
      }
      clearTimeout(state.typingIdleTimer);
      state.typingIdleTimer = setTimeout(() => sendTyping(false), TYPING_IDLE_MS);
    } else if (state.lastTypingSent !== 0) {
      clearTimeout(state.typingIdleTimer);
      state.lastTypingSent = 0;
      send({ type: 'typing', typing: false });
    }
  }

  // ---- user actions ------------------------------------------------------------------------

  function updateControls() {
    const ready = state.connected && state.joined;
    el.input.disabled = !ready;
    el.send.disabled = !ready;
    el.joinButton.disabled = !state.connected;
    el.input.placeholder = ready
      ? state.dm
        ? `Private message to ${state.dm.name}…`
        : `Message # ${state.room}`
      : 'Waiting for the connection…';
  }

  function setDm(member) {
    state.dm = member;
    el.dmTarget.hidden = !member;
    el.dmLabel.textContent = member ? `Private message to ${member.name}` : '';
    updateControls();
  }

  function switchRoom(room) {
    // `wanted` changes only once the server confirms, so a refused room is not retried on reconnect.
    if (!state.wanted || room === state.room) return;
    send({ type: 'join', name: state.wanted.name, room });
  }

  el.joinForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const name = el.joinName.value.trim();
    const room = el.joinRoom.value.trim();
    if (!name) {
      el.joinError.textContent = 'Choose a name: it cannot be empty.';
      el.joinName.focus();
      return;
    }
    if (!room) {
      el.joinError.textContent = 'Choose a room: its name cannot be empty.';
      el.joinRoom.focus();
      return;
    }
    el.joinError.textContent = '';
    state.wanted = { name, room };
    send({ type: 'join', name, room });
  });

  el.newRoomForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const room = el.newRoom.value.trim();
    if (!room) return;
    el.newRoom.value = '';
    switchRoom(room);
  });

  el.composer.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = el.input.value.trim();
    if (!text) {
      el.chatError.textContent = 'Empty messages are not sent: type some text first.';
      return;
    }
    const sent = state.dm
      ? send({ type: 'private', to: state.dm.id, text })
      : send({ type: 'message', text });
    if (!sent) return;
    el.chatError.textContent = '';
    sendTyping(false);
    el.input.value = '';
    autoGrow();
  });

  function autoGrow() {
    el.input.style.height = 'auto';
    el.input.style.height = `${el.input.scrollHeight + 2}px`;
  }

  el.input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      el.composer.requestSubmit();
    } else if (event.key === 'Escape' && state.dm) {
      setDm(null);
    }
  });
  el.input.addEventListener('input', () => {
    autoGrow();
    sendTyping(el.input.value.trim() !== '');
  });
  el.input.addEventListener('blur', () => sendTyping(false));
  el.dmCancel.addEventListener('click', () => {
    setDm(null);
    el.input.focus();
  });

  function closeSidebar() {
    el.sidebar.classList.remove('open');
    el.sidebarToggle.setAttribute('aria-expanded', 'false');
  }
  el.sidebarToggle.addEventListener('click', () => {
    const open = !el.sidebar.classList.contains('open');
    el.sidebar.classList.toggle('open', open);
    el.sidebarToggle.setAttribute('aria-expanded', String(open));
    if (open) el.sidebar.querySelector('button')?.focus();
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && el.sidebar.classList.contains('open')) {
      closeSidebar();
      el.sidebarToggle.focus();
    }
  });

  // ---- start -------------------------------------------------------------------------------

  el.joinName.value = sessionStorage.getItem('chat.name') ?? '';
  if (location.hash.length > 1) {
    try {
      el.joinRoom.value = decodeURIComponent(location.hash.slice(1));
    } catch {
      // A hand-edited hash that is not valid percent-encoding: keep the default room.
    }
  }
  (el.joinName.value ? el.joinRoom : el.joinName).focus();
  updateControls();
  refreshRooms();
  setInterval(() => {
    if (document.visibilityState === 'visible') refreshRooms();
  }, ROOMS_REFRESH_MS);
  connect();
})();

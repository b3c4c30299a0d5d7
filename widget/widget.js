/* chatgw storefront widget: one script tag on any page.
 *
 *   <script src="https://<gateway>/widget.js" data-store-key="pk_..." defer></script>
 *
 * Plain JavaScript, no dependencies, no build step: the gateway serves this
 * file with widget.css inlined where STYLE is and sse.js (shared with the
 * agent console) where it says chatgw:sse. Everything it draws lives in
 * a closed shadow root, so the page's CSS cannot reach it and its CSS cannot
 * leak out. The gateway is the origin this script was loaded from.
 *
 * Talks to the gateway's public API: GET /v1/widget/config, POST /v1/chat
 * (SSE over fetch), GET /v1/sessions/{id}/messages (transcript, for a
 * reload), GET /v1/sessions/{id}/events (agent replies and ticket state,
 * SSE over fetch: EventSource cannot send the store key) and
 * POST /v1/sessions/{id}/handoff ("talk to a person").
 */
(() => {
  'use strict';

  const STYLE = '/*chatgw:style*/';

  const script = document.currentScript || document.querySelector('script[data-store-key][src*="widget"]');
  const storeKey = script && script.dataset.storeKey;
  if (!storeKey) {
    console.error('chatgw widget: add data-store-key="pk_..." (the store\'s public key) to the widget\'s <script> tag.');
    return;
  }
  const registry = (window.__chatgwWidgets = window.__chatgwWidgets || {});
  if (registry[storeKey]) return;
  registry[storeKey] = true;
  const gateway = new URL(script.src, location.href).origin;

  // The widget's own words. The "talk to a person" label must match the one
  // the gateway quotes when it offers a person (gateway/src/handoff/texts.rs).
  const STRINGS = {
    en: {
      open: 'Open chat', close: 'Close chat', assistant: 'Shopping assistant', online: 'AI assistant · replies instantly',
      withPerson: 'A person from our team is on this chat', waitingPerson: 'Waiting for a person from our team',
      placeholder: 'Ask about products or orders…', send: 'Send', person: 'Talk to a person',
      personAsked: 'A person has been asked', personHere: '{agent} from our team has joined', backToBot: 'The assistant is answering again.',
      disclosure: 'You are chatting with an AI assistant; it can make mistakes. A person is one click away.', privacy: 'Privacy policy',
      greeting: 'Hi! I can help you find products, check sizes and stock, or look up an order. What are you looking for?',
      typing: 'The assistant is typing', checking: 'Checking…', checkStock: 'Checking stock…', checkOrder: 'Looking up your order…', checkShipping: 'Checking shipping…',
      you: 'You', bot: 'Assistant', team: 'Our team', view: 'View', notSent: 'Not sent', delivered: 'Sent to our team',
      rateLimited: 'You are sending messages too fast. You can send again in {s} s.', canSendAgain: 'You can send again.',
      offline: 'You are offline. Your message will be sent when you are back online.', unreachable: 'We could not reach the assistant.',
      interrupted: 'The answer was interrupted.', retry: 'Retry', reconnecting: 'Reconnecting…', messages: 'Conversation',
      composerLabel: 'Your message', cards: 'Suggested products', unread: 'New message',
    },
    es: {
      open: 'Abrir chat', close: 'Cerrar chat', assistant: 'Asistente de compras', online: 'Asistente de IA · responde al momento',
      withPerson: 'Una persona de nuestro equipo está en este chat', waitingPerson: 'Esperando a una persona del equipo',
      placeholder: 'Pregunta por productos o pedidos…', send: 'Enviar', person: 'Hablar con una persona',
      personAsked: 'Hemos avisado a una persona', personHere: '{agent}, de nuestro equipo, se ha unido', backToBot: 'El asistente vuelve a responder.',
      disclosure: 'Estás hablando con un asistente de IA; puede equivocarse. Una persona está a un clic.', privacy: 'Política de privacidad',
      greeting: '¡Hola! Puedo ayudarte a encontrar productos, consultar tallas y stock o buscar un pedido. ¿Qué buscas?',
      typing: 'El asistente está escribiendo', checking: 'Comprobando…', checkStock: 'Comprobando stock…', checkOrder: 'Buscando tu pedido…', checkShipping: 'Consultando el envío…',
      you: 'Tú', bot: 'Asistente', team: 'Nuestro equipo', view: 'Ver', notSent: 'No enviado', delivered: 'Enviado a nuestro equipo',
      rateLimited: 'Estás enviando mensajes muy rápido. Podrás enviar de nuevo en {s} s.', canSendAgain: 'Ya puedes enviar de nuevo.',
      offline: 'No tienes conexión. Enviaremos tu mensaje cuando vuelvas a estar en línea.', unreachable: 'No hemos podido contactar con el asistente.',
      interrupted: 'La respuesta se ha interrumpido.', retry: 'Reintentar', reconnecting: 'Reconectando…', messages: 'Conversación',
      composerLabel: 'Tu mensaje', cards: 'Productos sugeridos', unread: 'Mensaje nuevo',
    },
    ru: {
      open: 'Открыть чат', close: 'Закрыть чат', assistant: 'Помощник по покупкам', online: 'ИИ-помощник · отвечает сразу',
      withPerson: 'В чате сотрудник нашей команды', waitingPerson: 'Ждём сотрудника нашей команды',
      placeholder: 'Спросите о товаре или заказе…', send: 'Отправить', person: 'Связаться с человеком',
      personAsked: 'Мы позвали сотрудника', personHere: '{agent} из нашей команды в чате', backToBot: 'Снова отвечает помощник.',
      disclosure: 'Вы общаетесь с ИИ-помощником; он может ошибаться. Человек — в один клик.', privacy: 'Политика конфиденциальности',
      greeting: 'Здравствуйте! Помогу найти товар, подобрать размер, проверить наличие или заказ. Что вы ищете?',
      typing: 'Помощник печатает', checking: 'Проверяю…', checkStock: 'Проверяю наличие…', checkOrder: 'Ищу ваш заказ…', checkShipping: 'Проверяю доставку…',
      you: 'Вы', bot: 'Помощник', team: 'Наша команда', view: 'Смотреть', notSent: 'Не отправлено', delivered: 'Передано нашей команде',
      rateLimited: 'Вы отправляете сообщения слишком часто. Снова можно через {s} с.', canSendAgain: 'Можно отправлять снова.',
      offline: 'Нет подключения к сети. Сообщение уйдёт, когда связь вернётся.', unreachable: 'Не удалось связаться с помощником.',
      interrupted: 'Ответ прервался.', retry: 'Повторить', reconnecting: 'Переподключение…', messages: 'Переписка',
      composerLabel: 'Ваше сообщение', cards: 'Подходящие товары', unread: 'Новое сообщение',
    },
    ca: {
      open: 'Obrir el xat', close: 'Tancar el xat', assistant: 'Assistent de compres', online: 'Assistent d\'IA · respon a l\'instant',
      withPerson: 'Una persona del nostre equip és en aquest xat', waitingPerson: 'Esperant una persona de l\'equip',
      placeholder: 'Pregunta per productes o comandes…', send: 'Enviar', person: 'Parlar amb una persona',
      personAsked: 'Hem avisat una persona', personHere: '{agent}, del nostre equip, s\'ha unit', backToBot: 'L\'assistent torna a respondre.',
      disclosure: 'Parles amb un assistent d\'IA; es pot equivocar. Una persona és a un clic.', privacy: 'Política de privadesa',
      greeting: 'Hola! Et puc ajudar a trobar productes, consultar talles i estoc o buscar una comanda. Què busques?',
      typing: 'L\'assistent escriu', checking: 'Comprovant…', checkStock: 'Comprovant l\'estoc…', checkOrder: 'Buscant la teva comanda…', checkShipping: 'Consultant l\'enviament…',
      you: 'Tu', bot: 'Assistent', team: 'El nostre equip', view: 'Veure', notSent: 'No enviat', delivered: 'Enviat al nostre equip',
      rateLimited: 'Envies missatges massa ràpid. Podràs tornar a enviar d\'aquí a {s} s.', canSendAgain: 'Ja pots tornar a enviar.',
      offline: 'No tens connexió. Enviarem el missatge quan tornis a estar en línia.', unreachable: 'No hem pogut contactar amb l\'assistent.',
      interrupted: 'La resposta s\'ha interromput.', retry: 'Tornar-ho a provar', reconnecting: 'Reconnectant…', messages: 'Conversa',
      composerLabel: 'El teu missatge', cards: 'Productes suggerits', unread: 'Missatge nou',
    },
    fr: {
      open: 'Ouvrir le chat', close: 'Fermer le chat', assistant: 'Assistant shopping', online: 'Assistant IA · répond tout de suite',
      withPerson: 'Une personne de notre équipe est sur ce chat', waitingPerson: 'En attente d\'une personne de l\'équipe',
      placeholder: 'Produits, tailles, commandes…', send: 'Envoyer', person: 'Parler à une personne',
      personAsked: 'Une personne a été prévenue', personHere: '{agent}, de notre équipe, a rejoint le chat', backToBot: 'L\'assistant répond de nouveau.',
      disclosure: 'Vous discutez avec un assistant IA ; il peut se tromper. Une personne est à un clic.', privacy: 'Politique de confidentialité',
      greeting: 'Bonjour ! Je peux vous aider à trouver un produit, vérifier tailles et stock ou suivre une commande. Que cherchez-vous ?',
      typing: 'L\'assistant écrit', checking: 'Vérification…', checkStock: 'Vérification du stock…', checkOrder: 'Recherche de votre commande…', checkShipping: 'Vérification de la livraison…',
      you: 'Vous', bot: 'Assistant', team: 'Notre équipe', view: 'Voir', notSent: 'Non envoyé', delivered: 'Transmis à notre équipe',
      rateLimited: 'Vous envoyez des messages trop vite. Vous pourrez réessayer dans {s} s.', canSendAgain: 'Vous pouvez envoyer de nouveau.',
      offline: 'Vous êtes hors ligne. Votre message partira dès le retour de la connexion.', unreachable: 'Impossible de joindre l\'assistant.',
      interrupted: 'La réponse a été interrompue.', retry: 'Réessayer', reconnecting: 'Reconnexion…', messages: 'Conversation',
      composerLabel: 'Votre message', cards: 'Produits suggérés', unread: 'Nouveau message',
    },
    de: {
      open: 'Chat öffnen', close: 'Chat schließen', assistant: 'Einkaufsassistent', online: 'KI-Assistent · antwortet sofort',
      withPerson: 'Eine Person aus unserem Team ist im Chat', waitingPerson: 'Warten auf eine Person aus dem Team',
      placeholder: 'Fragen zu Produkten, Bestellungen…', send: 'Senden', person: 'Mit einer Person sprechen',
      personAsked: 'Eine Person wurde benachrichtigt', personHere: '{agent} aus unserem Team ist dazugekommen', backToBot: 'Der Assistent antwortet wieder.',
      disclosure: 'Sie chatten mit einem KI-Assistenten; er kann Fehler machen. Eine Person ist einen Klick entfernt.', privacy: 'Datenschutzerklärung',
      greeting: 'Hallo! Ich helfe Ihnen, Produkte zu finden, Größen und Bestand zu prüfen oder eine Bestellung zu finden. Was suchen Sie?',
      typing: 'Der Assistent schreibt', checking: 'Wird geprüft…', checkStock: 'Bestand wird geprüft…', checkOrder: 'Bestellung wird gesucht…', checkShipping: 'Versand wird geprüft…',
      you: 'Sie', bot: 'Assistent', team: 'Unser Team', view: 'Ansehen', notSent: 'Nicht gesendet', delivered: 'An unser Team gesendet',
      rateLimited: 'Sie senden zu schnell. In {s} s können Sie wieder senden.', canSendAgain: 'Sie können wieder senden.',
      offline: 'Sie sind offline. Ihre Nachricht wird gesendet, sobald Sie wieder online sind.', unreachable: 'Der Assistent ist nicht erreichbar.',
      interrupted: 'Die Antwort wurde unterbrochen.', retry: 'Erneut versuchen', reconnecting: 'Verbindung wird wiederhergestellt…', messages: 'Unterhaltung',
      composerLabel: 'Ihre Nachricht', cards: 'Vorgeschlagene Produkte', unread: 'Neue Nachricht',
    },
    it: {
      open: 'Apri la chat', close: 'Chiudi la chat', assistant: 'Assistente agli acquisti', online: 'Assistente IA · risponde subito',
      withPerson: 'Una persona del nostro team è in chat', waitingPerson: 'In attesa di una persona del team',
      placeholder: 'Chiedi di prodotti o ordini…', send: 'Invia', person: 'Parla con una persona',
      personAsked: 'Abbiamo avvisato una persona', personHere: '{agent} del nostro team si è unito', backToBot: 'L\'assistente risponde di nuovo.',
      disclosure: 'Stai parlando con un assistente IA; può sbagliare. Una persona è a un clic.', privacy: 'Informativa sulla privacy',
      greeting: 'Ciao! Posso aiutarti a trovare prodotti, verificare taglie e disponibilità o cercare un ordine. Cosa cerchi?',
      typing: 'L\'assistente sta scrivendo', checking: 'Verifico…', checkStock: 'Verifico la disponibilità…', checkOrder: 'Cerco il tuo ordine…', checkShipping: 'Verifico la spedizione…',
      you: 'Tu', bot: 'Assistente', team: 'Il nostro team', view: 'Vedi', notSent: 'Non inviato', delivered: 'Inviato al nostro team',
      rateLimited: 'Stai inviando messaggi troppo in fretta. Potrai inviare di nuovo tra {s} s.', canSendAgain: 'Puoi inviare di nuovo.',
      offline: 'Sei offline. Invieremo il messaggio quando tornerai online.', unreachable: 'Non riusciamo a raggiungere l\'assistente.',
      interrupted: 'La risposta si è interrotta.', retry: 'Riprova', reconnecting: 'Riconnessione…', messages: 'Conversazione',
      composerLabel: 'Il tuo messaggio', cards: 'Prodotti suggeriti', unread: 'Nuovo messaggio',
    },
    pt: {
      open: 'Abrir o chat', close: 'Fechar o chat', assistant: 'Assistente de compras', online: 'Assistente de IA · responde de imediato',
      withPerson: 'Uma pessoa da nossa equipa está neste chat', waitingPerson: 'À espera de uma pessoa da equipa',
      placeholder: 'Pergunte por produtos ou encomendas…', send: 'Enviar', person: 'Falar com uma pessoa',
      personAsked: 'Avisámos uma pessoa', personHere: '{agent}, da nossa equipa, juntou-se', backToBot: 'O assistente volta a responder.',
      disclosure: 'Está a falar com um assistente de IA; pode enganar-se. Uma pessoa está a um clique.', privacy: 'Política de privacidade',
      greeting: 'Olá! Posso ajudar a encontrar produtos, ver tamanhos e stock ou procurar uma encomenda. O que procura?',
      typing: 'O assistente está a escrever', checking: 'A verificar…', checkStock: 'A verificar o stock…', checkOrder: 'A procurar a sua encomenda…', checkShipping: 'A verificar o envio…',
      you: 'Você', bot: 'Assistente', team: 'A nossa equipa', view: 'Ver', notSent: 'Não enviado', delivered: 'Enviado à nossa equipa',
      rateLimited: 'Está a enviar mensagens depressa demais. Poderá enviar de novo dentro de {s} s.', canSendAgain: 'Já pode enviar de novo.',
      offline: 'Está offline. A mensagem será enviada quando voltar a estar online.', unreachable: 'Não foi possível contactar o assistente.',
      interrupted: 'A resposta foi interrompida.', retry: 'Tentar de novo', reconnecting: 'A restabelecer a ligação…', messages: 'Conversa',
      composerLabel: 'A sua mensagem', cards: 'Produtos sugeridos', unread: 'Mensagem nova',
    },
  };

  const ICONS = {
    chat: '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M21 12a8 8 0 0 1-11.6 7.1L4 20.5l1.4-4.9A8 8 0 1 1 21 12z"/></svg>',
    close: '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" aria-hidden="true"><path d="M6 6l12 12M18 6L6 18"/></svg>',
    send: '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M5 12h14M13 6l6 6-6 6"/></svg>',
    person: '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" aria-hidden="true"><circle cx="12" cy="8" r="4"/><path d="M4 21c1.5-4 4.5-6 8-6s6.5 2 8 6"/></svg>',
  };

  const storageKey = (name) => `chatgw:${storeKey}:${name}`;
  /** localStorage can throw (privacy modes, full quota): the widget still works without it. */
  const stored = {
    get(name) { try { return localStorage.getItem(storageKey(name)); } catch { return null; } },
    set(name, value) { try { localStorage.setItem(storageKey(name), value); } catch { /* kept in memory only */ } },
    remove(name) { try { localStorage.removeItem(storageKey(name)); } catch { /* nothing stored */ } },
  };

  /*chatgw:sse*/

  /** A refused request, with what the widget needs to show it. */
  class GatewayError extends Error {
    constructor(status, code, message, retryAfter) {
      super(message || `HTTP ${status}`);
      this.status = status;
      this.code = code;
      this.retryAfter = retryAfter;
    }
  }

  async function refusal(response) {
    const body = await response.json().catch(() => ({}));
    const error = body.error || {};
    const header = Number(response.headers.get('Retry-After'));
    const retryAfter = Number.isFinite(header) && header > 0 ? header : Number(error.retry_after_s) || 0;
    return new GatewayError(response.status, error.code || 'http_' + response.status, error.message, retryAfter);
  }

  function api(path, options = {}) {
    const headers = { 'X-Store-Key': storeKey, ...(options.body ? { 'Content-Type': 'application/json' } : {}) };
    return fetch(gateway + path, { ...options, headers, credentials: 'omit', mode: 'cors' });
  }

  async function apiJson(path, options) {
    const response = await api(path, options);
    if (!response.ok) throw await refusal(response);
    return response.json();
  }

  // ---------------------------------------------------------------------
  // Colours: the store's accent, with an ink that stays readable on it and
  // a text shade of it that stays readable on white (WCAG AA, 4.5:1).
  // ---------------------------------------------------------------------
  function rgb(hex) {
    let h = String(hex || '').replace('#', '');
    if (h.length === 3) h = h.replace(/./g, (c) => c + c);
    if (!/^[0-9a-f]{6}$/i.test(h)) return null;
    return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16));
  }
  function luminance([r, g, b]) {
    const lin = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  }
  const contrast = (a, b) => { const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const hex = (c) => '#' + c.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('');
  function palette(color) {
    const accent = rgb(color) || [36, 59, 83];
    const white = [255, 255, 255];
    const darkInk = [17, 24, 39];
    const ink = contrast(accent, white) >= contrast(accent, darkInk) ? white : darkInk;
    let text = accent;
    while (contrast(text, white) < 4.6) text = text.map((v) => v * 0.9);
    return { accent: hex(accent), ink: hex(ink), text: hex(text), darkInk: ink === darkInk };
  }

  // ---------------------------------------------------------------------
  // The widget
  // ---------------------------------------------------------------------
  const el = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  };
  /** Only web links from the catalog become links or images (never `javascript:`). */
  const webUrl = (url) => {
    try { return ['https:', 'http:'].includes(new URL(url).protocol) ? url : null; } catch { return null; }
  };
  const baseLanguage = (tag) => String(tag || '').toLowerCase().split(/[-_]/)[0];

  const state = {
    config: null,
    lang: 'en',
    session: stored.get('session'),
    open: false,
    busy: false,
    ticket: null,
    failed: null, // { text, node } of a message that could not be sent
    cooldown: 0,
    cooldownTimer: 0,
    live: null, // AbortController of the session's event stream
    liveRetry: 0,
    seen: new Set(), // message ids already on screen
  };

  const host = document.createElement('chatgw-widget');
  // Open, so accessibility checkers and tests can look inside; the page's
  // CSS cannot reach into either kind.
  const shadow = host.attachShadow({ mode: 'open' });
  const style = document.createElement('style');
  style.textContent = STYLE;
  const root = el('div', 'root');
  shadow.append(style, root);

  const t = (key, vars) => {
    const table = STRINGS[state.lang] || STRINGS.en;
    let text = table[key] || STRINGS.en[key] || key;
    for (const [name, value] of Object.entries(vars || {})) text = text.replace('{' + name + '}', value);
    return text;
  };

  const panelId = 'chatgw-panel';
  const ui = {};

  function build() {
    ui.launcher = el('button', 'launcher');
    ui.launcher.type = 'button';
    ui.launcher.setAttribute('aria-controls', panelId);
    ui.launcher.setAttribute('aria-expanded', 'false');
    ui.launcher.innerHTML = ICONS.chat;
    ui.badge = el('span', 'badge');
    ui.badge.hidden = true;
    ui.launcher.append(ui.badge);

    ui.panel = el('div', 'panel');
    ui.panel.id = panelId;
    ui.panel.setAttribute('role', 'dialog');
    ui.panel.setAttribute('aria-modal', 'false');
    ui.panel.setAttribute('aria-labelledby', 'chatgw-title');
    ui.panel.hidden = true;

    const header = el('div', 'header');
    ui.avatar = el('div', 'avatar');
    ui.avatar.setAttribute('aria-hidden', 'true');
    const heading = el('div', 'heading');
    ui.title = el('h2', 'title');
    ui.title.id = 'chatgw-title';
    ui.subtitle = el('p', 'subtitle');
    heading.append(ui.title, ui.subtitle);
    ui.close = el('button', 'icon-button');
    ui.close.type = 'button';
    ui.close.innerHTML = ICONS.close;
    header.append(ui.avatar, heading, ui.close);

    const bar = el('div', 'person-bar');
    ui.handoffState = el('span', 'state');
    ui.person = el('button', 'person');
    ui.person.type = 'button';
    ui.personLabel = el('span');
    ui.person.innerHTML = ICONS.person;
    ui.person.append(ui.personLabel);
    bar.append(ui.handoffState, ui.person);

    ui.log = el('div', 'log');
    ui.log.setAttribute('role', 'log');
    ui.log.setAttribute('aria-live', 'off');
    ui.log.tabIndex = 0;

    // Not a live region itself: a countdown would be read every second.
    // Changes are announced once through the announcer.
    ui.alert = el('div', 'alert');
    ui.alert.hidden = true;
    ui.alertText = el('span', 'text');
    ui.alertButton = el('button');
    ui.alertButton.type = 'button';
    ui.alert.append(ui.alertText, ui.alertButton);

    ui.form = el('form', 'composer');
    ui.input = el('textarea');
    ui.input.rows = 1;
    ui.input.id = 'chatgw-input';
    ui.input.maxLength = 4000;
    ui.inputLabel = el('label', 'sr-only');
    ui.inputLabel.htmlFor = 'chatgw-input';
    ui.send = el('button', 'send');
    ui.send.type = 'submit';
    ui.send.innerHTML = ICONS.send;
    ui.form.append(ui.inputLabel, ui.input, ui.send);

    ui.footer = el('div', 'footer');
    ui.disclosure = el('span');
    ui.privacy = el('a');
    ui.privacy.target = '_blank';
    ui.privacy.rel = 'noopener';
    ui.footer.append(ui.disclosure);

    // Screen readers hear finished messages and state changes here, not
    // every streamed token.
    ui.announcer = el('div', 'sr-only');
    ui.announcer.setAttribute('aria-live', 'polite');
    ui.announcer.setAttribute('aria-atomic', 'true');

    ui.panel.append(header, bar, ui.log, ui.alert, ui.form, ui.footer);
    root.append(ui.panel, ui.launcher, ui.announcer);
    // On <html>, not <body>: a transform or zoom on the page's body would
    // otherwise move a fixed-position widget.
    document.documentElement.append(host);

    ui.launcher.addEventListener('click', () => (state.open ? close() : open()));
    ui.close.addEventListener('click', close);
    ui.person.addEventListener('click', askForPerson);
    ui.form.addEventListener('submit', (event) => { event.preventDefault(); submit(); });
    ui.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) { event.preventDefault(); submit(); }
    });
    ui.input.addEventListener('input', () => { grow(); updateSend(); });
    root.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && state.open) { event.stopPropagation(); close(); }
    });
    ui.alertButton.addEventListener('click', () => ui.alertButton.onAction && ui.alertButton.onAction());
    window.addEventListener('online', () => {
      if (!state.config) retryConfig();
      else if (state.failed && state.cooldown === 0) resend();
      connectLive();
    });
  }

  /** Words that follow the language; called on every language change. */
  function label() {
    root.lang = state.lang;
    const name = (state.config && state.config.store.name) || t('assistant');
    ui.title.textContent = name;
    ui.avatar.textContent = name.trim().charAt(0).toUpperCase();
    ui.launcher.setAttribute('aria-label', state.open ? t('close') : t('open'));
    ui.close.setAttribute('aria-label', t('close'));
    ui.personLabel.textContent = t('person');
    ui.log.setAttribute('aria-label', t('messages'));
    ui.input.placeholder = t('placeholder');
    ui.inputLabel.textContent = t('composerLabel');
    ui.send.setAttribute('aria-label', t('send'));
    ui.disclosure.textContent = t('disclosure') + ' ';
    const privacyUrl = state.config && state.config.widget.privacy_url;
    if (privacyUrl) {
      ui.privacy.href = privacyUrl;
      ui.privacy.textContent = t('privacy');
      ui.footer.append(ui.privacy);
    } else ui.privacy.remove();
    for (const node of ui.log.querySelectorAll('[data-who]')) node.textContent = t(node.dataset.who);
    for (const node of ui.log.querySelectorAll('.card .view')) node.textContent = t('view');
    showHandoff();
  }

  function setLanguage(code) {
    const lang = baseLanguage(code);
    if (!STRINGS[lang] || lang === state.lang) return;
    state.lang = lang;
    label();
  }

  function theme() {
    const colours = palette(state.config && state.config.widget.color);
    root.style.setProperty('--accent', colours.accent);
    root.style.setProperty('--accent-ink', colours.ink);
    root.style.setProperty('--accent-text', colours.text);
    root.classList.toggle('dark-ink', colours.darkInk);
    root.classList.toggle('left', !!state.config && state.config.widget.position === 'left');
  }

  function open() {
    state.open = true;
    root.classList.add('open');
    ui.panel.hidden = false;
    ui.badge.hidden = true;
    ui.launcher.setAttribute('aria-expanded', 'true');
    ui.launcher.setAttribute('aria-label', t('close'));
    ui.launcher.innerHTML = ICONS.close;
    ui.launcher.append(ui.badge);
    try { sessionStorage.setItem(storageKey('open'), '1'); } catch { /* not remembered */ }
    scrollDown();
    ui.input.focus();
  }

  function close() {
    state.open = false;
    root.classList.remove('open');
    ui.panel.hidden = true;
    ui.launcher.setAttribute('aria-expanded', 'false');
    ui.launcher.setAttribute('aria-label', t('open'));
    ui.launcher.innerHTML = ICONS.chat;
    ui.launcher.append(ui.badge);
    try { sessionStorage.removeItem(storageKey('open')); } catch { /* not remembered */ }
    ui.launcher.focus();
  }

  /** The input grows with its text up to five lines; empty, it is one line (Chrome would measure the placeholder). */
  function grow() {
    ui.input.style.height = '';
    if (ui.input.value) ui.input.style.height = Math.min(ui.input.scrollHeight + 2, 120) + 'px';
  }

  function updateSend() {
    ui.send.disabled = state.busy || state.cooldown > 0 || !ui.input.value.trim();
  }

  function scrollDown() {
    ui.log.scrollTop = ui.log.scrollHeight;
  }

  function announce(text) {
    ui.announcer.textContent = '';
    // A fresh text node after a tick, so the same words twice are read twice.
    setTimeout(() => { ui.announcer.textContent = text; }, 30);
  }

  // --- Messages ----------------------------------------------------------

  /** One message on screen: `role` is user, assistant or agent. */
  function addMessage(role, text, { id, agent } = {}) {
    if (id) {
      if (state.seen.has(id)) return null;
      state.seen.add(id);
    }
    const node = el('div', 'msg ' + role);
    if (id) node.dataset.id = id;
    const who = el('span', role === 'user' ? 'sr-only' : 'who');
    if (agent) who.textContent = agent;
    else {
      who.dataset.who = role === 'user' ? 'you' : role === 'agent' ? 'team' : 'bot';
      who.textContent = t(who.dataset.who);
    }
    const bubble = el('div', 'bubble', text);
    node.append(who, bubble);
    ui.log.append(node);
    scrollDown();
    return node;
  }

  function addNotice(text) {
    const node = el('div', 'notice', text);
    ui.log.append(node);
    scrollDown();
    return node;
  }

  function typing(node, key) {
    let dots = node.querySelector('.typing');
    if (!dots) {
      dots = el('div', 'bubble typing');
      dots.setAttribute('role', 'img');
      dots.append(el('i'), el('i'), el('i'));
      node.querySelector('.bubble').hidden = true;
      node.append(dots);
      node.append(el('div', 'typing-label'));
    }
    dots.setAttribute('aria-label', t('typing'));
    node.querySelector('.typing-label').textContent = key ? t(key) : '';
  }

  function stopTyping(node) {
    node.querySelector('.typing')?.remove();
    node.querySelector('.typing-label')?.remove();
    node.querySelector('.bubble').hidden = false;
  }

  function formatPrice(price) {
    const amount = Number(price);
    if (!price || !Number.isFinite(amount) || !state.config) return price || '';
    try {
      return new Intl.NumberFormat(state.lang, { style: 'currency', currency: state.config.store.currency }).format(amount);
    } catch {
      return price;
    }
  }

  /** Product cards; a missing or broken image becomes a tile with the product's initials. */
  function addCards(node, items) {
    const row = el('div', 'cards');
    row.setAttribute('role', 'list');
    row.setAttribute('aria-label', t('cards'));
    for (const item of items) {
      const entry = el('div');
      entry.setAttribute('role', 'listitem');
      entry.style.display = 'contents';
      const url = webUrl(item.url);
      const card = el(url ? 'a' : 'div', 'card');
      if (url) card.href = url;
      const media = el('div', 'media');
      const tile = el('div', 'placeholder', initials(item.title));
      tile.setAttribute('aria-hidden', 'true');
      media.style.background = tint(item.title);
      media.append(tile);
      if (webUrl(item.image)) {
        const img = el('img');
        img.alt = '';
        img.loading = 'lazy';
        img.decoding = 'async';
        img.addEventListener('load', () => tile.remove());
        img.addEventListener('error', () => img.remove());
        img.src = item.image;
        media.append(img);
      }
      const info = el('div', 'info');
      info.append(el('span', 'name', item.title));
      if (item.price) info.append(el('span', 'price', formatPrice(item.price)));
      if (url) info.append(el('span', 'view', t('view')));
      card.append(media, info);
      entry.append(card);
      row.append(entry);
    }
    node.append(row);
    scrollDown();
  }

  const initials = (title) => String(title || '?').split(/\s+/).filter((w) => /^\p{L}/u.test(w)).slice(0, 2).map((w) => w[0].toUpperCase()).join('');
  function tint(title) {
    let hash = 0;
    for (const c of String(title)) hash = (hash * 31 + c.codePointAt(0)) | 0;
    const hue = Math.abs(hash) % 360;
    return `linear-gradient(135deg, hsl(${hue} 45% 88%), hsl(${(hue + 40) % 360} 40% 80%))`;
  }

  /** Cards shown with an answer, kept per message so a reload shows them again. */
  const cardStore = {
    all() { try { return JSON.parse(stored.get('cards') || '{}'); } catch { return {}; } },
    save(messageId, items) {
      const all = this.all();
      all[messageId] = items;
      const ids = Object.keys(all);
      for (const old of ids.slice(0, Math.max(0, ids.length - 30))) delete all[old];
      stored.set('cards', JSON.stringify(all));
    },
  };

  // --- Alerts: rate limited, offline, unreachable ---------------------------

  function alert(kind, text, action, onAction) {
    ui.alert.className = 'alert ' + kind;
    ui.alertText.textContent = text;
    ui.alertButton.hidden = !action;
    ui.alertButton.textContent = action || '';
    ui.alertButton.onAction = onAction;
    ui.alert.hidden = false;
  }

  function clearAlert() {
    ui.alert.hidden = true;
  }

  function cooldown(seconds) {
    clearInterval(state.cooldownTimer);
    state.cooldown = Math.max(1, Math.ceil(seconds));
    const tick = () => {
      if (state.cooldown <= 0) {
        clearInterval(state.cooldownTimer);
        if (state.failed) alert('wait', t('canSendAgain'), t('retry'), resend);
        else clearAlert();
        announce(t('canSendAgain'));
        updateSend();
        return;
      }
      alert('wait', t('rateLimited', { s: state.cooldown }));
      state.cooldown -= 1;
    };
    tick();
    announce(t('rateLimited', { s: state.cooldown + 1 }));
    state.cooldownTimer = setInterval(tick, 1000);
    updateSend();
  }

  /** Shows why a message did not go out, and keeps it for a retry. */
  function failed(text, userNode, error) {
    state.failed = { text, node: userNode };
    userNode.classList.add('failed');
    let status = userNode.querySelector('.status');
    if (!status) userNode.append((status = el('div', 'status')));
    status.textContent = t('notSent');
    if (error && error.status === 429) return cooldown(error.retryAfter || 5);
    if (!navigator.onLine) {
      alert('offline', t('offline'), t('retry'), resend);
      announce(t('offline'));
      return;
    }
    // The gateway's own words when it explains a refusal; ours when it
    // could not be reached or failed inside.
    const explained = error instanceof GatewayError && error.message && (error.fromTurn || (error.status >= 400 && error.status < 500));
    const message = explained ? error.message : t('unreachable');
    alert('error', message, t('retry'), resend);
    announce(message);
  }

  function resend() {
    if (!state.failed || state.busy || state.cooldown > 0) return;
    const { text, node } = state.failed;
    state.failed = null;
    node.remove();
    clearAlert();
    send(text);
  }

  // --- A chat turn ---------------------------------------------------------

  function submit() {
    const text = ui.input.value.trim();
    if (!text || state.busy || state.cooldown > 0) return;
    ui.input.value = '';
    grow();
    if (state.failed) {
      state.failed.node.remove();
      state.failed = null;
    }
    clearAlert();
    send(text);
  }

  async function send(text) {
    state.busy = true;
    updateSend();
    const userNode = addMessage('user', text);
    const reply = addMessage('assistant', '');
    reply.setAttribute('aria-busy', 'true');
    typing(reply);
    const turn = { text: '', cards: null, silent: false };
    try {
      const response = await api('/v1/chat', {
        method: 'POST',
        body: JSON.stringify({ session_id: state.session, message: text, locale: state.lang }),
      });
      if (!response.ok) throw await refusal(response);
      let finished = false;
      await readEvents(response, (name, data) => {
        finished = onTurnEvent(name, JSON.parse(data), reply, userNode, turn) || finished;
      });
      if (!finished) throw new GatewayError(0, 'interrupted', t('interrupted'));
      clearAlert();
    } catch (error) {
      if (error instanceof GatewayError && error.code === 'interrupted' && turn.text) {
        stopTyping(reply);
        alert('error', t('interrupted'), null);
      } else {
        reply.remove();
        failed(text, userNode, error);
      }
    } finally {
      reply.removeAttribute('aria-busy');
      state.busy = false;
      updateSend();
    }
  }

  /** One event of a chat turn; true when the turn is complete. */
  function onTurnEvent(name, data, reply, userNode, turn) {
    switch (name) {
      case 'session':
        if (data.session_id !== state.session) {
          state.session = data.session_id;
          stored.set('session', state.session);
        }
        connectLive();
        return false;
      case 'products':
        turn.cards = data.items || [];
        if (turn.cards.length) addCards(reply, turn.cards);
        return false;
      case 'tool':
        if (data.status === 'started' && !turn.text) {
          const key = { get_stock: 'checkStock', get_order_status: 'checkOrder', get_shipping: 'checkShipping' }[data.name] || 'checking';
          typing(reply, key);
        }
        return false;
      case 'token':
        if (!turn.text) stopTyping(reply);
        turn.text += data.text;
        reply.querySelector('.bubble').textContent = turn.text;
        scrollDown();
        return false;
      case 'handoff':
        onHandoff(data, userNode);
        return false;
      case 'done':
        setLanguage(data.language);
        if (turn.text) {
          reply.dataset.id = data.message_id;
          state.seen.add(data.message_id);
          if (turn.cards && turn.cards.length) cardStore.save(data.message_id, turn.cards);
          announce(t('bot') + ': ' + turn.text);
        } else {
          // A person has the conversation: the assistant stayed silent.
          reply.remove();
          state.seen.add(data.message_id);
        }
        return true;
      case 'error': {
        const error = new GatewayError(500, data.code, data.message);
        error.fromTurn = true;
        throw error;
      }
      default:
        return false;
    }
  }

  function onHandoff(data, userNode) {
    if (data.status === 'offered') {
      ui.person.classList.add('offered');
      return;
    }
    if (data.status === 'waiting') {
      const status = el('div', 'status', t('delivered'));
      userNode.append(status);
      announce(data.message);
    }
    if (data.ticket_id && (!state.ticket || state.ticket.id !== data.ticket_id)) {
      state.ticket = { id: data.ticket_id, status: 'open', assignee: null };
    }
    showHandoff();
  }

  // --- Talk to a person ------------------------------------------------------

  async function askForPerson() {
    if (ui.person.getAttribute('aria-disabled') === 'true') return;
    if (!state.session) {
      // No conversation yet: the request itself starts one.
      ui.input.value = t('person');
      return submit();
    }
    ui.person.setAttribute('aria-disabled', 'true');
    try {
      const body = await apiJson(`/v1/sessions/${encodeURIComponent(state.session)}/handoff`, { method: 'POST' });
      state.ticket = body.ticket;
      if (body.created) {
        const node = addMessage('assistant', body.message);
        announce(body.message);
        node && node.classList.add('handoff');
      }
      clearAlert();
    } catch (error) {
      if (error.status === 429) cooldown(error.retryAfter || 5);
      else alert('error', error instanceof GatewayError && error.status < 500 ? error.message : t('unreachable'), t('retry'), askForPerson);
    } finally {
      showHandoff();
    }
  }

  /** The person bar: who has the conversation. */
  function showHandoff() {
    const ticket = state.ticket && state.ticket.status !== 'resolved' ? state.ticket : null;
    ui.person.setAttribute('aria-disabled', ticket ? 'true' : 'false');
    if (ticket) ui.person.classList.remove('offered');
    const text = !ticket ? t('online') : ticket.assignee ? t('personHere', { agent: ticket.assignee }) : t('waitingPerson');
    ui.handoffState.textContent = ticket ? text : '';
    ui.subtitle.textContent = '';
    const dot = el('span', 'dot');
    dot.setAttribute('aria-hidden', 'true');
    ui.subtitle.append(dot, ticket ? (ticket.assignee ? t('withPerson') : t('personAsked')) : t('online'));
  }

  function onTicket(ticket) {
    const before = state.ticket;
    state.ticket = ticket;
    showHandoff();
    if (ticket.status === 'claimed' && ticket.assignee && (!before || before.assignee !== ticket.assignee)) {
      const words = t('personHere', { agent: ticket.assignee });
      addNotice(words);
      announce(words);
    } else if (ticket.status === 'resolved' && before && before.status !== 'resolved') {
      addNotice(t('backToBot'));
      announce(t('backToBot'));
    }
  }

  // --- The session's live stream ---------------------------------------------

  /** Holds the session's event stream open, reconnecting with backoff. */
  function connectLive() {
    if (!state.session || state.live) return;
    const controller = new AbortController();
    state.live = controller;
    const session = state.session;
    (async () => {
      let reconnect = true;
      try {
        const response = await fetch(`${gateway}/v1/sessions/${encodeURIComponent(session)}/events`, {
          headers: { 'X-Store-Key': storeKey, Accept: 'text/event-stream' },
          credentials: 'omit',
          signal: controller.signal,
        });
        if (response.status === 404) {
          reconnect = false;
          forgetSession();
          return;
        }
        if (!response.ok) throw await refusal(response);
        const again = state.liveRetry > 0;
        state.liveRetry = 0;
        showHandoff();
        if (again) await restore(false);
        await readEvents(response, (name, data) => onLiveEvent(name, JSON.parse(data)));
      } catch (error) {
        if (controller.signal.aborted) reconnect = false;
        else if (error.retryAfter) state.liveRetry = Math.max(state.liveRetry, error.retryAfter);
      } finally {
        if (state.live === controller) state.live = null;
      }
      if (!reconnect) return;
      // While a person has the conversation, say that their replies may be late.
      if (state.ticket && state.ticket.status !== 'resolved') ui.handoffState.textContent = t('reconnecting');
      state.liveRetry = Math.min(30, Math.max(1, state.liveRetry * 2));
      setTimeout(connectLive, state.liveRetry * 1000 * (0.8 + Math.random() * 0.4));
    })();
  }

  function onLiveEvent(name, data) {
    if (name === 'ready') {
      if (data.ticket) onTicket(data.ticket);
      else if (state.ticket && state.ticket.status !== 'resolved') onTicket({ ...state.ticket, status: 'resolved' });
    } else if (name === 'ticket') onTicket(data);
    else if (name === 'agent_message') {
      const node = addMessage('agent', data.text, { id: data.message_id, agent: data.agent });
      if (node) {
        announce(data.agent + ': ' + data.text);
        if (!state.open) {
          ui.badge.hidden = false;
          ui.launcher.setAttribute('aria-label', t('open') + ' · ' + t('unread'));
        }
      }
    } else if (name === 'resync') restore(false);
  }

  function forgetSession() {
    state.session = null;
    state.ticket = null;
    stored.remove('session');
    stored.remove('cards');
    showHandoff();
  }

  // --- Restoring the conversation after a reload --------------------------------

  /**
   * Draws the stored transcript under the greeting (`whole`), or after a
   * dropped live stream adds only the team's messages it may have missed:
   * the shopper's own turns always arrive on their own stream.
   */
  async function restore(whole) {
    if (!state.session) return;
    try {
      const body = await apiJson(`/v1/sessions/${encodeURIComponent(state.session)}/messages`);
      const cards = cardStore.all();
      let lastLanguage = null;
      for (const message of body.messages) {
        if (!whole && message.role !== 'agent') continue;
        if (!['user', 'assistant', 'agent'].includes(message.role)) continue;
        const node = addMessage(message.role, message.text, { id: message.id });
        if (node && cards[message.id]) addCards(node, cards[message.id]);
        if (message.role === 'user' && message.language) lastLanguage = message.language;
      }
      if (lastLanguage) setLanguage(lastLanguage);
    } catch (error) {
      if (error.status === 404) forgetSession();
    }
  }

  function greet() {
    const greetings = (state.config && state.config.widget.greeting) || {};
    addMessage('assistant', greetings[state.lang] || t('greeting'));
  }

  // --- Start -------------------------------------------------------------------

  /** The page's language, then the browser's, then the store's first. */
  function pageLanguage(storeLanguages) {
    const wanted = [document.documentElement.lang, ...(navigator.languages || [navigator.language])].map(baseLanguage);
    return wanted.find((l) => STRINGS[l]) || (storeLanguages || []).find((l) => STRINGS[l]) || 'en';
  }

  async function loadConfig() {
    const response = await fetch(`${gateway}/v1/widget/config?key=${encodeURIComponent(storeKey)}`, { credentials: 'omit' });
    if (!response.ok) throw await refusal(response);
    state.config = await response.json();
  }

  /** True when the gateway refused the key or the page's origin: nothing to show. */
  const misconfigured = (error) => error instanceof GatewayError && error.status >= 400 && error.status < 500 && error.status !== 429;

  /** The gateway was unreachable at start: try its config again, then redraw. */
  async function retryConfig() {
    try {
      await loadConfig();
      clearAlert();
      theme();
      label();
      connectLive();
    } catch (error) {
      alert('offline', navigator.onLine ? t('unreachable') : t('offline'), t('retry'), retryConfig);
    }
  }

  async function start() {
    try {
      await loadConfig();
    } catch (error) {
      if (misconfigured(error)) {
        console.error(`chatgw widget: ${error.message} (store key ${storeKey}, gateway ${gateway}).`);
        return;
      }
      // Unreachable now: draw the widget with defaults and offer a retry.
    }
    state.lang = pageLanguage(state.config && state.config.store.languages);
    build();
    theme();
    label();
    greet();
    if (state.session) await restore(true);
    if (!state.config) alert('offline', navigator.onLine ? t('unreachable') : t('offline'), t('retry'), retryConfig);
    connectLive();
    let reopen = false;
    try { reopen = sessionStorage.getItem(storageKey('open')) === '1'; } catch { /* starts closed */ }
    if (reopen) open();
    updateSend();
    host.dataset.ready = 'true';
  }

  start();
})();

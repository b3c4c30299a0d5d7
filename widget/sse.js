/* Server-sent events over fetch, shared by the widget and the agent
 * console (the gateway inlines this file where each says chatgw:sse):
 * EventSource cannot send the store key or the agent token, so both read
 * the stream with fetch. The parser takes text in whatever pieces the
 * network delivers (an event, a line or a \r\n pair may be split across
 * chunks) and calls back once per complete event, as the HTML standard's
 * event-stream rules say: `event` names it, `data` lines join with \n,
 * comments (`:`) and other fields are ignored. */
function sseParser(onEvent) {
  let buffer = '';
  let name = '';
  let data = [];
  const dispatch = () => {
    if (data.length) onEvent(name || 'message', data.join('\n'));
    name = '';
    data = [];
  };
  const line = (text) => {
    if (text === '') return dispatch();
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') name = value;
    else if (field === 'data') data.push(value);
  };
  return (chunk) => {
    buffer += chunk;
    let start = 0;
    for (let i = 0; i < buffer.length; i++) {
      const c = buffer[i];
      if (c !== '\n' && c !== '\r') continue;
      // A lone \r at the very end may be the first half of \r\n.
      if (c === '\r' && i === buffer.length - 1) break;
      line(buffer.slice(start, i));
      if (c === '\r' && buffer[i + 1] === '\n') i++;
      start = i + 1;
    }
    buffer = buffer.slice(start);
  };
}

/** Reads an SSE response body to its end, event by event. */
async function readEvents(response, onEvent) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const push = sseParser(onEvent);
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    push(decoder.decode(value, { stream: true }));
  }
  push(decoder.decode() + '\n\n');
}

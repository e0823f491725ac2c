'use strict';

// The API explorer: reads this silo's OpenAPI document with the key the user gives, lists every operation, and sends
// the one the user fills in. Plain DOM, no framework: the gateway serves these three files as they are.
(() => {
  const methods = ['get', 'post', 'put', 'patch', 'delete'];
  const streamWindowMs = 5000;
  const state = { key: '', document: null };

  // The gateway may run under a path base (/trader/explorer): the page names this script under it, and every URL the
  // page calls (the description, the operations' paths) goes under it too.
  const pathBase = new URL(document.currentScript.src).pathname.replace(/\/explorer\/explorer\.js$/, '');

  const element = (tag, attributes = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (name === 'text') {
        node.textContent = value;
      } else if (value !== undefined && value !== null && value !== false) {
        node.setAttribute(name, value === true ? '' : value);
      }
    }
    node.append(...children);
    return node;
  };

  const headers = () => (state.key ? { Authorization: `Bearer ${state.key}` } : {});

  // A problem+json answer says what went wrong in title, detail and reason; anything else is shown as it came.
  const describeFailure = async (response) => {
    const text = await response.text();
    try {
      const problem = JSON.parse(text);
      return [problem.reason, problem.title, problem.detail].filter(Boolean).join(': ') || text;
    } catch {
      return text || response.statusText;
    }
  };

  const resolve = (schema) => {
    if (schema && schema.$ref) {
      const name = schema.$ref.split('/').pop();
      return state.document.components?.schemas?.[name] ?? {};
    }

    return schema ?? {};
  };

  const typeOf = (schema) => {
    const resolved = resolve(schema);
    const types = [].concat(resolved.type ?? []).filter((t) => t !== 'null');
    if (types.length > 0) {
      return types.join(' | ');
    }

    const variant = (resolved.oneOf ?? resolved.anyOf ?? []).find((s) => s.type !== 'null');
    return variant ? (variant.$ref ? variant.$ref.split('/').pop() : typeOf(variant)) : 'value';
  };

  // The body's fields, each null: null means "not given" to every route, so the skeleton is a valid request to edit. A
  // body that may be left out is null or the request (oneOf), whose fields are the request's.
  const bodySkeleton = (requestBody) => {
    const declared = resolve(requestBody?.content?.['application/json']?.schema);
    const schema = resolve((declared.oneOf ?? declared.anyOf ?? []).find((s) => s.type !== 'null') ?? declared);
    const properties = Object.keys(schema.properties ?? {});
    return properties.length === 0 ? '{}' : JSON.stringify(Object.fromEntries(properties.map((p) => [p, null])), null, 2);
  };

  // The answer indented as JSON.stringify would, its tokens kept as written: parsing would turn a decimal into a
  // JavaScript number, rounding 10.000000000000000000001 to 10 and 1000.50 to 1000.5.
  const pretty = (text) => {
    try {
      JSON.parse(text);
    } catch {
      return text;
    }

    const closers = { '{': '}', '[': ']' };
    let out = '';
    let depth = 0;
    const newline = () => `\n${'  '.repeat(depth)}`;
    for (let i = 0; i < text.length; i += 1) {
      const c = text[i];
      if (c === '"') {
        let end = i + 1;
        while (text[end] !== '"') {
          end += text[end] === '\\' ? 2 : 1;
        }

        out += text.slice(i, end + 1);
        i = end;
      } else if (c === '{' || c === '[') {
        const next = text.slice(i + 1).search(/\S/) + i + 1;
        if (text[next] === closers[c]) {
          out += c + closers[c];
          i = next;
        } else {
          depth += 1;
          out += c + newline();
        }
      } else if (c === '}' || c === ']') {
        depth -= 1;
        out += newline() + c;
      } else if (c === ',') {
        out += `,${newline()}`;
      } else if (c === ':') {
        out += ': ';
      } else if (!/\s/.test(c)) {
        out += c;
      }
    }

    return out;
  };

  function operationsOf(document) {
    const operations = [];
    for (const [path, item] of Object.entries(document.paths ?? {})) {
      for (const method of methods) {
        const operation = item[method];
        if (!operation) {
          continue;
        }

        const ok = operation.responses?.['200']?.content ?? {};
        operations.push({
          method,
          path,
          tag: operation.tags?.[0] ?? 'Other',
          summary: operation.summary ?? '',
          parameters: [...(item.parameters ?? []), ...(operation.parameters ?? [])].filter((p) => p.in === 'path' || p.in === 'query'),
          requestBody: operation.requestBody,
          streams: Object.prototype.hasOwnProperty.call(ok, 'text/event-stream'),
        });
      }
    }

    return operations;
  }

  function render(operations) {
    const main = document.getElementById('operations');
    main.replaceChildren();
    const byTag = new Map();
    for (const operation of operations) {
      byTag.set(operation.tag, [...(byTag.get(operation.tag) ?? []), operation]);
    }

    for (const [tag, group] of byTag) {
      main.append(element('h2', { text: tag, 'data-tag': tag }));
      for (const operation of group) {
        main.append(renderOperation(operation));
      }
    }
  }

  function renderOperation(operation) {
    const id = `${operation.method.toUpperCase()} ${operation.path}`;
    const inputs = operation.parameters.map((parameter) => {
      const input = element('input', {
        'data-param': parameter.name,
        'data-in': parameter.in,
        placeholder: typeOf(parameter.schema),
        spellcheck: 'false',
      });
      const label = element('label', { text: `${parameter.name} (${parameter.in})`, class: parameter.required ? 'required' : null });
      return element('div', { class: 'param' }, label, input);
    });
    const body = operation.requestBody
      ? element('textarea', { 'data-body': true, spellcheck: 'false', 'aria-label': 'request body (JSON)' })
      : null;
    if (body) {
      body.value = bodySkeleton(operation.requestBody);
    }

    const send = element('button', { type: 'button', 'data-send': true, text: operation.streams ? `Listen ${streamWindowMs / 1000} s` : 'Send' });
    const curl = element('button', { type: 'button', 'data-curl': true, text: 'As curl' });
    const status = element('div', { class: 'result-status', 'data-status': true, role: 'status' });
    const result = element('pre', { class: 'result', 'data-response': true });
    const command = element('pre', { class: 'result', 'data-command': true, hidden: true });
    const buttons = element('div', { class: 'buttons' }, send, curl);
    const call = element('div', { class: 'call' }, ...inputs, ...(body ? [body] : []), buttons, command, status, result);
    send.addEventListener('click', () => sendOperation(operation, call, send, status, result));
    curl.addEventListener('click', () => showCurl(operation, call, command, status));

    const summary = element('summary', {},
      element('span', { class: `method ${operation.method}`, text: operation.method.toUpperCase() }),
      element('code', { text: operation.path }),
      element('span', { class: 'summary', text: operation.summary }));
    return element('details', { class: 'op', 'data-op': id, 'data-search': `${id} ${operation.summary}`.toLowerCase() }, summary, call);
  }

  // The request the user filled in: its URL and body, or the reason it cannot be sent.
  function requestOf(operation, call) {
    let path = operation.path;
    const query = new URLSearchParams();
    for (const input of call.querySelectorAll('input[data-param]')) {
      const parameter = operation.parameters.find((p) => p.name === input.dataset.param);
      const value = input.value.trim();
      if (input.dataset.in === 'path') {
        if (!value) {
          return { error: `${parameter.name} is required.` };
        }

        // A URL drops a "." segment and climbs out of the route at "..": DELETE .../orders/. would cancel every order.
        if (value === '.' || value === '..') {
          return { error: `${parameter.name} cannot be "${value}".` };
        }

        path = path.replace(`{${parameter.name}}`, encodeURIComponent(value));
      } else if (value) {
        query.append(parameter.name, value);
      }
    }

    const body = call.querySelector('textarea[data-body]');
    const text = body && body.value.trim() ? body.value : null;
    if (text !== null) {
      try {
        JSON.parse(text);
      } catch (error) {
        return { error: `The body is not JSON: ${error.message}` };
      }
    }

    return { url: pathBase + (query.size > 0 ? `${path}?${query}` : path), body: text };
  }

  // The same request for a terminal; the key stays out of it ($OT_KEY, as in the README's API tour).
  function showCurl(operation, call, command, status) {
    const request = requestOf(operation, call);
    if (request.error) {
      return fail(status, request.error);
    }

    const quote = (text) => `'${text.replaceAll("'", "'\\''")}'`;
    const parts = ['curl -s', operation.streams ? '-N' : null, `-X ${operation.method.toUpperCase()}`, quote(window.location.origin + request.url),
      '-H "Authorization: Bearer $OT_KEY"'];
    if (request.body !== null) {
      parts.push("-H 'Content-Type: application/json'", `-d ${quote(request.body)}`);
    }

    command.textContent = parts.filter(Boolean).join(' ');
    command.hidden = false;
    return undefined;
  }

  async function sendOperation(operation, call, button, status, result) {
    status.classList.remove('failed');
    result.textContent = '';
    const request = requestOf(operation, call);
    if (request.error) {
      return fail(status, request.error);
    }

    const init = { method: operation.method.toUpperCase(), headers: headers() };
    if (request.body !== null) {
      init.body = request.body;
      init.headers['Content-Type'] = 'application/json';
    }

    const url = request.url;
    const started = performance.now();
    button.disabled = true;
    try {
      const response = await fetch(url, init);
      const text = operation.streams && response.ok ? await readStream(response) : await response.text();
      const elapsed = Math.round(performance.now() - started);
      const correlation = response.headers.get('X-Correlation-Id') ?? '-';
      status.textContent = `${response.status} ${response.statusText} · ${elapsed} ms · correlation ${correlation}`;
      status.dataset.code = String(response.status);
      status.classList.toggle('failed', !response.ok);
      result.textContent = operation.streams && response.ok ? text : pretty(text);
    } catch (error) {
      fail(status, `The request did not complete: ${error.message}`);
    } finally {
      button.disabled = false;
    }

    return undefined;
  }

  // An event stream does not end of itself: the explorer shows what arrives within its window, then closes the stream.
  // The API may end it sooner (its key revoked, the silo stopping), and the page says which of the two happened.
  async function readStream(response) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    const deadline = Date.now() + streamWindowMs;
    let text = '';
    let ended = false;
    try {
      while (Date.now() < deadline) {
        const wait = new Promise((done) => setTimeout(() => done({ timeout: true }), deadline - Date.now()));
        const chunk = await Promise.race([reader.read(), wait]);
        if (chunk.timeout) {
          break;
        }

        if (chunk.done) {
          ended = true;
          break;
        }

        text += decoder.decode(chunk.value, { stream: true });
      }
    } finally {
      await reader.cancel();
    }

    return `${text}\n(${ended ? 'the API ended the stream' : `closed after ${streamWindowMs / 1000} s`})`;
  }

  function fail(status, message) {
    status.textContent = message;
    status.dataset.code = '';
    status.classList.add('failed');
  }

  function applyFilter() {
    const words = document.getElementById('filter').value.toLowerCase().split(/\s+/).filter(Boolean);
    for (const operation of document.querySelectorAll('details.op')) {
      operation.hidden = !words.every((word) => operation.dataset.search.includes(word));
    }
  }

  async function load(event) {
    event.preventDefault();
    const status = document.getElementById('load-status');
    state.key = document.getElementById('key').value.trim();
    status.textContent = 'Reading the API description…';
    try {
      const response = await fetch(`${pathBase}/openapi/v1.json`, { headers: headers() });
      if (!response.ok) {
        status.textContent = `The API description was refused (${response.status}): ${await describeFailure(response)}`;
        return;
      }

      state.document = await response.json();
      const operations = operationsOf(state.document);
      render(operations);
      document.getElementById('filter-label').hidden = false;
      status.textContent = `${state.document.info?.title ?? 'API'} ${state.document.info?.version ?? ''}: ${operations.length} operations.`;
      status.dataset.operations = String(operations.length);
    } catch (error) {
      status.textContent = `The API description could not be read: ${error.message}`;
    }
  }

  document.getElementById('connect').addEventListener('submit', load);
  document.getElementById('filter').addEventListener('input', applyFilter);
})();

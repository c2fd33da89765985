// The example dashboard's own script: it only listens to <cams-qrdl>'s events.

const log = document.getElementById('event-log');

function add(kind, text) {
  const li = document.createElement('li');
  const strong = document.createElement('strong');
  strong.textContent = kind;
  li.append(strong, ` ${text}`);
  li.dataset.event = kind;
  log.append(li);
}

document.addEventListener('qrdl-created', (/** @type {CustomEvent} */ ev) => {
  const { qrdl } = ev.detail;
  add('qrdl-created', `${qrdl.qrdlCode} → ${qrdl.deepLinkUrl}`);
});

document.addEventListener('qrdl-error', (/** @type {CustomEvent} */ ev) => {
  add('qrdl-error', `${ev.detail.code}: ${ev.detail.sentence}`);
});

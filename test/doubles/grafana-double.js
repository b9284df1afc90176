// A test double of Grafana (grafana/grafana), run as the image's entrypoint with the environment the plan gives it.
// It loads the provisioning folders Berth writes and refuses what Grafana refuses there, each rule with its source:
// - datasources (pkg/services/provisioning/datasources/config_reader.go): files ending .yaml/.yml; `apiVersion` 0 or
//   1; every datasource needs a name and a type; at most one `isDefault` per organisation ("datasource.yaml config is
//   invalid. Only one datasource per organization can be marked as default"); any of these stops Grafana at start;
// - dashboard providers (pkg/services/provisioning/dashboards/config_reader.go): a name, `type: file`, and
//   `options.path` a folder that exists, else Grafana stops at start;
// - dashboard files (pkg/services/provisioning/dashboards/file_reader.go): JSON that parses, a title ("Dashboard title
//   cannot be empty"), a uid of at most 40 characters from [a-zA-Z0-9_-]; a file that breaks a rule is logged and
//   skipped, and a uid used twice loads once;
// - access (pkg/api, GF_AUTH_ANONYMOUS_ENABLED / GF_AUTH_ANONYMOUS_ORG_ROLE, GF_SECURITY_ADMIN_PASSWORD): /api/search
//   and dashboards for an anonymous Viewer only when anonymous access is on, else basic auth as admin; 401 otherwise.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const YAML = require('yaml');
const { log, logError, containerInfo, sendJson, listen, reachOut, parseJson } = require('./double-common.js');

const provisioning = process.env.GF_PATHS_PROVISIONING || '/etc/grafana/provisioning';
const port = Number(process.env.GF_SERVER_HTTP_PORT || 3000);
const anonymous = String(process.env.GF_AUTH_ANONYMOUS_ENABLED).toLowerCase() === 'true';
const adminPassword = process.env.GF_SECURITY_ADMIN_PASSWORD || 'admin';

function stop(logger, message) {
  logError(`logger=${logger} level=error msg="${message}"`);
  logError(
    'logger=server level=error msg="Server shutdown" error="*provisioning.ProvisioningServiceImpl run error: ' +
      message.replace(/"/g, "'") +
      '"',
  );
  process.exit(1);
}

function yamlFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

function readYaml(file, logger) {
  try {
    return YAML.parse(fs.readFileSync(file, 'utf8')) || {};
  } catch (error) {
    return stop(logger, `could not parse provisioning config file: ${path.basename(file)} error: ${error.message}`);
  }
}

const datasources = [];
for (const file of yamlFiles(path.join(provisioning, 'datasources'))) {
  const config = readYaml(file, 'provisioning.datasources');
  if (config.apiVersion !== undefined && ![0, 1].includes(Number(config.apiVersion)))
    stop('provisioning.datasources', `unsupported apiVersion ${config.apiVersion} in ${path.basename(file)}`);
  for (const ds of config.datasources || []) {
    if (!ds.name) stop('provisioning.datasources', `datasource in ${path.basename(file)} is missing a name`);
    if (!ds.type) stop('provisioning.datasources', `datasource ${ds.name} in ${path.basename(file)} is missing a type`);
    datasources.push(ds);
  }
}
if (datasources.filter((ds) => ds.isDefault).length > 1)
  stop(
    'provisioning.datasources',
    'datasource.yaml config is invalid. Only one datasource per organization can be marked as default',
  );

const dashboards = new Map();
const skipped = [];
function loadDashboards(dir, folder) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      loadDashboards(file, folder);
      continue;
    }
    if (!entry.name.endsWith('.json')) continue;
    let dashboard;
    try {
      dashboard = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (error) {
      skipped.push(`${entry.name}: ${error.message}`);
      logError(
        `logger=provisioning.dashboard level=error msg="failed to load dashboard from " file=${file} error="${error.message}"`,
      );
      continue;
    }
    const problem = !dashboard.title
      ? 'Dashboard title cannot be empty'
      : dashboard.uid !== undefined && String(dashboard.uid).length > 40
        ? 'uid too long, max 40 characters'
        : dashboard.uid !== undefined && !/^[a-zA-Z0-9_-]+$/.test(String(dashboard.uid))
          ? 'uid contains illegal characters'
          : undefined;
    if (problem) {
      skipped.push(`${entry.name}: ${problem}`);
      logError(
        `logger=provisioning.dashboard level=error msg="failed to save dashboard" file=${file} error="${problem}"`,
      );
      continue;
    }
    const uid = String(dashboard.uid ?? entry.name.replace(/\.json$/, ''));
    if (dashboards.has(uid)) {
      skipped.push(`${entry.name}: the same UID is used more than once`);
      logError(
        `logger=provisioning.dashboard level=warn msg="the same UID is used more than once" orgId=1 uid=${uid} times=2`,
      );
      continue;
    }
    dashboards.set(uid, { uid, title: dashboard.title, folderTitle: folder, dashboard });
  }
}
for (const file of yamlFiles(path.join(provisioning, 'dashboards'))) {
  const config = readYaml(file, 'provisioning.dashboard');
  for (const provider of config.providers || []) {
    if (!provider.name)
      stop('provisioning.dashboard', `dashboard provider in ${path.basename(file)} is missing a name`);
    if ((provider.type ?? 'file') !== 'file') stop('provisioning.dashboard', `type ${provider.type} is not supported`);
    const dir = provider.options?.path;
    if (!dir || !fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
      stop('provisioning.dashboard', `Failed to read content of symlinked path: ${dir}`);
    loadDashboards(dir, provider.folder || 'General');
  }
}

/** The caller's role: Admin with the admin's basic auth, Viewer when anonymous access is on, else none. */
function role(req) {
  const header = req.headers.authorization || '';
  if (header.startsWith('Basic ')) {
    const [user, ...rest] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':');
    if (user === 'admin' && rest.join(':') === adminPassword) return 'Admin';
    return undefined;
  }
  return anonymous ? process.env.GF_AUTH_ANONYMOUS_ORG_ROLE || 'Viewer' : undefined;
}

/**
 * Annotations as Grafana's HTTP API keeps them (https://grafana.com/docs/grafana/latest/developers/http_api/annotations/):
 * POST /api/annotations with `time` (ms), `text` and `tags` adds an organisation annotation and answers
 * `{"message":"Annotation added","id":N}`; GET /api/annotations lists them, newest first, filtered by `tags`.
 */
const annotations = [];

function annotate(req, res, body, who) {
  if (req.method === 'POST') {
    if (who === 'Viewer') return sendJson(res, 403, { message: 'Permission denied' });
    const request = parseJson(body);
    if (!request || typeof request.text !== 'string') return sendJson(res, 400, { message: 'bad request data' });
    const id = annotations.length + 1;
    annotations.unshift({ id, time: Number(request.time) || Date.now(), text: request.text, tags: request.tags || [] });
    return sendJson(res, 200, { message: 'Annotation added', id });
  }
  const tags = new URL(req.url, 'http://grafana').searchParams.getAll('tags');
  return sendJson(
    res,
    200,
    annotations.filter((a) => tags.every((t) => a.tags.includes(t))),
  );
}

function handle(req, res, body) {
  const url = new URL(req.url, 'http://grafana');
  if (url.pathname === '/double/info')
    return sendJson(
      res,
      200,
      containerInfo('grafana', process.argv.slice(2), {
        datasources: datasources.map((d) => d.name),
        dashboards: [...dashboards.keys()],
        skipped,
      }),
    );
  if (url.pathname === '/api/health') return sendJson(res, 200, { database: 'ok', version: '13.2.3' });
  const who = role(req);
  if (!who) return sendJson(res, 401, { message: 'Unauthorized' });
  if (url.pathname === '/api/search') {
    const query = (url.searchParams.get('query') || '').toLowerCase();
    return sendJson(
      res,
      200,
      [...dashboards.values()]
        .filter((d) => d.title.toLowerCase().includes(query))
        .map((d) => ({ uid: d.uid, title: d.title, type: 'dash-db', folderTitle: d.folderTitle })),
    );
  }
  const dashboard = /^\/api\/dashboards\/uid\/([^/]+)$/.exec(url.pathname);
  if (dashboard) {
    const found = dashboards.get(decodeURIComponent(dashboard[1]));
    return found
      ? sendJson(res, 200, { dashboard: found.dashboard, meta: { folderTitle: found.folderTitle, provisioned: true } })
      : sendJson(res, 404, { message: 'Dashboard not found' });
  }
  if (url.pathname === '/api/annotations') return annotate(req, res, body, who);
  if (url.pathname === '/api/datasources') {
    if (who !== 'Admin') return sendJson(res, 403, { message: 'Permission denied' });
    return sendJson(
      res,
      200,
      datasources.map((d, i) => ({
        id: i + 1,
        uid: d.uid,
        name: d.name,
        type: d.type,
        url: d.url,
        isDefault: Boolean(d.isDefault),
      })),
    );
  }
  sendJson(res, 404, { message: 'Not found' });
}

log(
  `logger=provisioning.datasources level=info msg="inserting datasource from configuration" names="${datasources.map((d) => d.name).join(',')}"`,
);
log(
  `logger=provisioning.dashboard level=info msg="finished to provision dashboards" loaded=${dashboards.size} skipped=${skipped.length}`,
);
// Grafana's calls home, each on unless its key of configuration turns it off ([analytics] reporting_enabled,
// check_for_updates, check_for_plugin_updates; [plugins] preinstall_disabled; [news] news_feed_enabled:
// https://grafana.com/docs/grafana/latest/setup-grafana/configure-grafana/); each failure is logged and it goes on.
const calls = [
  ['GF_ANALYTICS_REPORTING_ENABLED', 'false', 'https://stats.grafana.org/grafana-usage-report', 'usage report'],
  ['GF_ANALYTICS_CHECK_FOR_UPDATES', 'false', 'https://grafana.com/api/grafana/versions', 'version check'],
  ['GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES', 'false', 'https://grafana.com/api/plugins/versioncheck', 'plugin check'],
  ['GF_PLUGINS_PREINSTALL_DISABLED', 'true', 'https://grafana.com/api/plugins', 'preinstalled plugins'],
  ['GF_NEWS_NEWS_FEED_ENABLED', 'false', 'https://grafana.com/api/news', 'news feed'],
];
for (const [key, off, url, why] of calls) {
  if (String(process.env[key]).toLowerCase() !== off && !reachOut(url, why))
    logError(
      `logger=${why.replace(/ /g, '-')} level=error msg="request failed" error="dial tcp: connect: network is unreachable"`,
    );
}
listen(port, handle, () =>
  log(`logger=http.server level=info msg="HTTP Server Listen" address=[::]:${port} protocol=http`),
);

import type { Check } from '../check.js';

/** secrets.json: only its owner may read it, and this `berth` must be able to use what is in it. */
export const secretsFile: Check = {
  id: 'secrets-file',
  title: 'Secrets kept safe and readable',
  applies: () => true,
  async run({ secretsFile: file, env }) {
    if (file.problem)
      return {
        status: 'fail',
        message: file.problem,
        fix:
          'fix secrets.json in BERTH_HOME, or move it away (Berth then generates new keys, and the running ' +
          'stack must be started again)',
      };
    if (file.linkTo) {
      return {
        status: 'fail',
        message: `secrets.json is a symbolic link to ${file.linkTo}, so the secrets live outside BERTH_HOME`,
        fix:
          'replace the link with the file itself (cp --remove-destination "$(readlink secrets.json)" ' +
          'secrets.json, then chmod 600 secrets.json)',
      };
    }
    if (!file.exists)
      return {
        status: 'ok',
        message: 'no secrets.json yet; the first start generates the master key and the Grafana password',
      };
    if (!file.encrypted && file.mode !== undefined && (file.mode & 0o077) !== 0) {
      return {
        status: 'fail',
        message: `secrets.json can be read by others (mode ${file.mode.toString(8)})`,
        fix: 'chmod 600 secrets.json in BERTH_HOME',
      };
    }
    if (file.locked) {
      if (env.LITELLM_MASTER_KEY && env.GRAFANA_ADMIN_PASSWORD)
        return {
          status: 'ok',
          message: "secrets.json is in the app's keychain; this berth uses the keys in its environment",
        };
      return {
        status: 'warn',
        message: "secrets.json is encrypted with the Berth app's keychain key, which this berth cannot read",
        fix:
          'run the berth that comes inside the app, or set LITELLM_MASTER_KEY and GRAFANA_ADMIN_PASSWORD (and ' +
          'HF_TOKEN) in the environment',
      };
    }
    return {
      status: 'ok',
      message: file.encrypted
        ? "secrets.json is encrypted with the app's keychain"
        : 'secrets.json is readable only by you (mode 600)',
    };
  },
};

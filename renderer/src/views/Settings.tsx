import { useState } from 'react';
import type { BerthApi, Snapshot } from '../../../electron/common/api/berth-api.js';
import { SECRET_NAMES } from '../../../electron/common/api/berth-api.js';
import { ApiError } from '../client.js';
import { ExportPanel } from './ExportPanel.js';

/** The add-a-model form, empty. */
const EMPTY_MODEL = { id: '', device: 'cpu', layers: '', kvHeads: '', headDim: '', maxModelLen: '', weightsGiB: '' };

/** Settings the app and the CLI share; secrets are write-only and only shown as set or not. */
export function SettingsView({ api, snapshot, onSaved }: { api: BerthApi; snapshot: Snapshot; onSaved: () => void }) {
  const settings = snapshot.settings;
  const [profile, setProfile] = useState(settings.profile);
  const [exposePorts, setExposePorts] = useState(settings.exposePorts);
  const [disabled, setDisabled] = useState<string[]>(settings.disabledModels);
  const [ports, setPorts] = useState<Record<string, string>>(Object.fromEntries(Object.entries(settings.ports).map(([k, v]) => [k, String(v)])));
  const [images, setImages] = useState<Record<string, string>>(settings.images);
  const [secrets, setSecrets] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [startAtLogin, setStartAtLogin] = useState(settings.startAtLogin);
  const [onQuit, setOnQuit] = useState(settings.onQuit);
  const [autoUpdate, setAutoUpdate] = useState(settings.autoUpdate);
  const [newModel, setNewModel] = useState(EMPTY_MODEL);
  const [litellmUrl, setLitellmUrl] = useState(settings.litellmUrl ?? '');
  const confirmed = Boolean(settings.litellmUrl) && settings.litellmUrl === settings.trustedLitellmUrl;
  const services = snapshot.plan?.services ?? [];
  const models = [...new Set([...services.filter((s) => s.role === 'model').map((s) => s.name), ...disabled])];

  const save = async () => {
    setMessage(null);
    try {
      const numericPorts = Object.fromEntries(Object.entries(ports).filter(([, v]) => v.trim() !== '').map(([k, v]) => [k, Number(v)]));
      const added = newModel.id.trim()
        ? [
            ...settings.models,
            {
              id: newModel.id.trim(),
              device: newModel.device as 'cpu' | 'gpu',
              gated: false,
              layers: Number(newModel.layers),
              kvHeads: Number(newModel.kvHeads),
              headDim: Number(newModel.headDim),
              maxModelLen: Number(newModel.maxModelLen),
              weightsGiB: Number(newModel.weightsGiB),
            },
          ]
        : settings.models;
      await api.updateSettings({
        profile,
        exposePorts,
        startAtLogin,
        onQuit,
        autoUpdate,
        models: added,
        disabledModels: disabled,
        ports: numericPorts,
        images: Object.fromEntries(Object.entries(images).filter(([, v]) => v.trim())),
        // Sent only when edited, so a LITELLM_URL from the environment is not written into the file.
        ...(litellmUrl.trim() !== (settings.litellmUrl ?? '') ? { litellmUrl: litellmUrl.trim() || null } : {}),
      });
      setNewModel(EMPTY_MODEL);
      for (const [name, value] of Object.entries(secrets)) if (value) await api.setSecret(name as (typeof SECRET_NAMES)[number], value);
      setSecrets({});
      setMessage('Saved. Start the stack again for running services to pick the changes up.');
      onSaved();
    } catch (e) {
      setMessage(e instanceof ApiError ? `Not saved: ${e.message}` : String(e));
    }
  };

  return (
    <section aria-label="Settings" className="settings">
      <form onSubmit={(e) => { e.preventDefault(); void save(); }}>
        <label>
          Profile{' '}
          <select value={profile} onChange={(e) => setProfile(e.target.value as typeof profile)} aria-label="Profile">
            <option value="auto">auto</option>
            <option value="development">development (CPU models)</option>
            <option value="production">production (GPU models)</option>
          </select>
        </label>
        <fieldset>
          <legend>Models</legend>
          {models.map((name) => (
            <label key={name} className="check">
              <input type="checkbox" checked={!disabled.includes(name)} onChange={(e) => setDisabled((d) => (e.target.checked ? d.filter((x) => x !== name) : [...d, name]))} /> {name}
            </label>
          ))}
          <p className="muted">Add a model by its Hugging Face id, with the numbers from its config.json:</p>
          <div className="add-model">
            <input aria-label="Hugging Face id" placeholder="Qwen/Qwen3-4B" value={newModel.id} onChange={(e) => setNewModel((m) => ({ ...m, id: e.target.value }))} />
            <select aria-label="Device" value={newModel.device} onChange={(e) => setNewModel((m) => ({ ...m, device: e.target.value }))}>
              <option value="cpu">CPU</option>
              <option value="gpu">GPU</option>
            </select>
            {(['layers', 'kvHeads', 'headDim', 'maxModelLen', 'weightsGiB'] as const).map((field) => (
              <input key={field} aria-label={field} placeholder={field} inputMode="decimal" value={newModel[field]} onChange={(e) => setNewModel((m) => ({ ...m, [field]: e.target.value }))} />
            ))}
          </div>
        </fieldset>
        <fieldset>
          <legend>Ports and images</legend>
          <table>
            <tbody>
              {services.map((s) => (
                <tr key={s.name}>
                  <td>{s.name}</td>
                  <td><input aria-label={`Port of ${s.name}`} inputMode="numeric" placeholder={String(s.ports[0]?.host ?? '')} value={ports[s.name] ?? ''} onChange={(e) => setPorts((p) => ({ ...p, [s.name]: e.target.value }))} /></td>
                  <td><input aria-label={`Image of ${s.name}`} placeholder={s.image} value={images[s.name] ?? ''} onChange={(e) => setImages((i) => ({ ...i, [s.name]: e.target.value }))} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </fieldset>
        <fieldset>
          <legend>Remote litellm</legend>
          <label>
            URL of the team's litellm (empty: this stack's own){' '}
            <input aria-label="Remote litellm URL" placeholder="http://gpu-host:4000" value={litellmUrl} onChange={(e) => setLitellmUrl(e.target.value)} />
          </label>
          {settings.litellmUrl && !confirmed && (
            <p className="muted" data-testid="litellm-url-unconfirmed">
              Not used yet: Open WebUI and Chat use this stack's litellm until you confirm {settings.litellmUrl}. It then receives the master key.{' '}
              <button
                type="button"
                onClick={async () => {
                  try {
                    await api.updateSettings({ trustedLitellmUrl: settings.litellmUrl ?? null });
                    setMessage(`Confirmed ${settings.litellmUrl}. Start the stack again for Open WebUI to use it.`);
                    onSaved();
                  } catch (error) {
                    setMessage(error instanceof ApiError ? `Not confirmed: ${error.message}` : String(error));
                  }
                }}
              >
                Use it and send it the master key
              </button>
            </p>
          )}
          {confirmed && <p className="muted">In use for Open WebUI and Chat (confirmed).</p>}
        </fieldset>
        <fieldset>
          <legend>Secrets</legend>
          <p className="muted" data-testid="secrets-storage">{snapshot.secretsStorage?.encrypted ? 'Kept in the system keychain.' : snapshot.secretsStorage?.note}</p>
          {SECRET_NAMES.map((name) => (
            <label key={name} className="secret">
              {name}{' '}
              <input type="password" autoComplete="off" aria-label={name} placeholder={snapshot.secretsSet[name] ? '•••••••• (set)' : 'not set'} value={secrets[name] ?? ''} onChange={(e) => setSecrets((s) => ({ ...s, [name]: e.target.value }))} />
            </label>
          ))}
        </fieldset>
        <label className="check">
          <input type="checkbox" checked={exposePorts} onChange={(e) => setExposePorts(e.target.checked)} /> Open the stack's ports to the network (loopback only when off)
        </label>
        {snapshot.app && (
          <fieldset>
            <legend>The app</legend>
            <label className="check">
              <input type="checkbox" checked={startAtLogin} onChange={(e) => setStartAtLogin(e.target.checked)} /> Start Berth at login
            </label>
            {snapshot.app.startAtLogin.note && (
              <p className="muted" data-testid="login-item-note">
                {snapshot.app.startAtLogin.note}
              </p>
            )}
            <label className="check">
              <input type="checkbox" checked={autoUpdate} onChange={(e) => setAutoUpdate(e.target.checked)} /> Check for updates daily and ask before installing them
            </label>
            <label>
              When Berth quits{' '}
              <select aria-label="When Berth quits" value={onQuit} onChange={(e) => setOnQuit(e.target.value as typeof onQuit)}>
                <option value="leave-running">leave the stack running</option>
                <option value="stop-stack">stop the stack</option>
              </select>
            </label>
          </fieldset>
        )}
        <label>
          Import a .env (HF_TOKEN, LITELLM_MASTER_KEY, LITELLM_ENVIRONMENT, LITELLM_URL){' '}
          <input
            type="file"
            aria-label="Import a .env"
            onChange={async (e) => {
              const file = e.target.files?.[0];
              if (!file) return;
              try {
                const taken = await api.importEnv(await file.text());
                setMessage(taken.length ? `Imported ${taken.join(', ')}.` : 'The file held none of the variables Berth reads.');
                onSaved();
              } catch (error) {
                setMessage(error instanceof ApiError ? `Not imported: ${error.message}` : String(error));
              }
              e.target.value = '';
            }}
          />
        </label>
        <button type="submit">Save</button>
        {message && <p role="status">{message}</p>}
      </form>
      <ExportPanel api={api} snapshot={snapshot} />
    </section>
  );
}

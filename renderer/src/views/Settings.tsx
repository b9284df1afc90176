import { useState } from 'react';
import type { BerthApi, Snapshot } from '../../../electron/common/api/berth-api.js';
import { SECRET_NAMES } from '../../../electron/common/api/berth-api.js';
import { ApiError } from '../client.js';

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
  const services = snapshot.plan?.services ?? [];
  const models = [...new Set([...services.filter((s) => s.role === 'model').map((s) => s.name), ...disabled])];

  const save = async () => {
    setMessage(null);
    try {
      const numericPorts = Object.fromEntries(Object.entries(ports).filter(([, v]) => v.trim() !== '').map(([k, v]) => [k, Number(v)]));
      await api.updateSettings({ profile, exposePorts, disabledModels: disabled, ports: numericPorts, images: Object.fromEntries(Object.entries(images).filter(([, v]) => v.trim())) });
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
          <p className="muted">Add a model by its Hugging Face id in settings.json (see the README).</p>
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
          <legend>Secrets</legend>
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
        <button type="submit">Save</button>
        {message && <p role="status">{message}</p>}
      </form>
    </section>
  );
}

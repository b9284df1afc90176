import { Alert, Button, Checkbox, Group, NativeSelect, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { Section } from '../ui/Section.js';
import type { BerthApi, Snapshot } from '../../../electron/common/api/berth-api.js';
import { SECRET_NAMES } from '../../../electron/common/contracts/secrets.js';
import { ApiError } from '../client.js';
import { AddModel, EMPTY_MODEL, draftModel } from './AddModel.js';
import { Engines } from './Engines.js';
import { PortsAndImages } from './PortsAndImages.js';
import { KeepAliveChoices, keepAliveFields, keepAliveSetting } from './KeepAlive.js';
import { ExportPanel } from './ExportPanel.js';
import { WhatIf } from './WhatIf.js';
import { MacSettings, macFields, macSetting } from './MacSettings.js';
import { appleSilicon } from '../../../electron/common/model-servers/vllm-metal/placement.js';

/** Settings the app and the CLI share; secrets are write-only and only shown as set or not. */
export function SettingsView({ api, snapshot, onSaved }: { api: BerthApi; snapshot: Snapshot; onSaved: () => void }) {
  const settings = snapshot.settings;
  const [profile, setProfile] = useState(settings.profile);
  // Kept here: saving tuning gives What if a new key (its state starts again from the saved numbers), not its message.
  const [whatIfMessage, setWhatIfMessage] = useState<string | null>(null);
  const [exposePorts, setExposePorts] = useState(settings.exposePorts);
  const [disabled, setDisabled] = useState<string[]>(settings.disabledModels);
  const [ports, setPorts] = useState<Record<string, string>>(
    Object.fromEntries(Object.entries(settings.ports).map(([k, v]) => [k, String(v)])),
  );
  const [images, setImages] = useState<Record<string, string>>(settings.images);
  const [keepAlive, setKeepAlive] = useState(() => keepAliveFields(settings.keepAlive));
  const [secrets, setSecrets] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ text: string; ok: boolean } | null>(null);
  const [startAtLogin, setStartAtLogin] = useState(settings.startAtLogin);
  const [onQuit, setOnQuit] = useState(settings.onQuit);
  const [autoUpdate, setAutoUpdate] = useState(settings.autoUpdate);
  const [draft, setDraft] = useState(EMPTY_MODEL);
  const [litellmUrl, setLitellmUrl] = useState(settings.litellmUrl ?? '');
  const [mac, setMac] = useState(() => macFields(settings));
  const confirmed = Boolean(settings.litellmUrl) && settings.litellmUrl === settings.trustedLitellmUrl;
  const services = snapshot.plan?.services ?? [];
  const models = [...new Set([...services.filter((s) => s.role === 'model').map((s) => s.name), ...disabled])];

  const save = async () => {
    setMessage(null);
    try {
      const added = draft.id.trim() ? draftModel(draft) : undefined;
      if (draft.id.trim() && !added)
        throw new ApiError(
          'the model to add needs every number: layers, kvHeads, headDim, maxModelLen and weightsGiB (look ' +
            'it up, or type them from its config.json)',
        );
      const numericPorts = Object.fromEntries(
        Object.entries(ports)
          .filter(([, v]) => v.trim() !== '')
          .map(([k, v]) => [k, Number(v)]),
      );
      await api.updateSettings({
        profile,
        exposePorts,
        startAtLogin,
        onQuit,
        autoUpdate,
        models: added ? [...settings.models, added] : settings.models,
        disabledModels: disabled,
        keepAlive: keepAliveSetting(keepAlive),
        ports: numericPorts,
        images: Object.fromEntries(Object.entries(images).filter(([, v]) => v.trim())),
        ...macSetting(settings, mac),
        // Sent only when edited, so a LITELLM_URL from the environment is not written into the file.
        ...(litellmUrl.trim() !== (settings.litellmUrl ?? '') ? { litellmUrl: litellmUrl.trim() || null } : {}),
      });
      setDraft(EMPTY_MODEL);
      for (const [name, value] of Object.entries(secrets))
        if (value) await api.setSecret(name as (typeof SECRET_NAMES)[number], value);
      setSecrets({});
      setMessage({ ok: true, text: 'Saved. Start the stack again for running services to pick the changes up.' });
      onSaved();
    } catch (e) {
      setMessage({ ok: false, text: e instanceof ApiError ? `Not saved: ${e.message}` : String(e) });
    }
  };

  const confirm = async () => {
    try {
      await api.updateSettings({ trustedLitellmUrl: settings.litellmUrl ?? null });
      setMessage({
        ok: true,
        text: `Confirmed ${settings.litellmUrl}. Start the stack again for Open WebUI to use it.`,
      });
      onSaved();
    } catch (error) {
      setMessage({ ok: false, text: error instanceof ApiError ? `Not confirmed: ${error.message}` : String(error) });
    }
  };

  const importEnv = async (file: File | undefined) => {
    if (!file) return;
    try {
      const taken = await api.importEnv(await file.text());
      setMessage({
        ok: true,
        text: taken.length ? `Imported ${taken.join(', ')}.` : 'The file held none of the variables Berth reads.',
      });
      onSaved();
    } catch (error) {
      setMessage({ ok: false, text: error instanceof ApiError ? `Not imported: ${error.message}` : String(error) });
    }
  };

  return (
    <Stack gap="md" component="section" aria-label="Settings" maw={980}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <Stack gap="md">
          <Section title="Stack">
            <NativeSelect
              label="Profile"
              aria-label="Profile"
              value={profile}
              onChange={(e) => setProfile(e.currentTarget.value as typeof profile)}
              w={320}
              data={[
                { value: 'auto', label: 'auto' },
                { value: 'development', label: 'development (CPU models)' },
                { value: 'production', label: 'production (GPU models)' },
              ]}
            />
            <Checkbox
              mt="sm"
              label="Open the stack's ports to the network (loopback only when off)"
              checked={exposePorts}
              onChange={(e) => setExposePorts(e.currentTarget.checked)}
            />
          </Section>
          {appleSilicon(snapshot.facts) && <MacSettings value={mac} onChange={setMac} />}
          <Section title="Models">
            <Group gap="lg" mb="sm">
              {models.map((name) => (
                <Checkbox
                  key={name}
                  label={name}
                  checked={!disabled.includes(name)}
                  onChange={(e) => {
                    const on = e.currentTarget.checked;
                    setDisabled((d) => (on ? d.filter((x) => x !== name) : [...d, name]));
                  }}
                />
              ))}
            </Group>
            <KeepAliveChoices
              models={services.filter((s) => s.role === 'model')}
              fields={keepAlive}
              setFields={setKeepAlive}
            />
            <AddModel api={api} snapshot={snapshot} draft={draft} setDraft={setDraft} />
          </Section>
          <Section title="Ports and images">
            <PortsAndImages
              services={services}
              ports={ports}
              setPorts={setPorts}
              images={images}
              setImages={setImages}
            />
          </Section>
          <Section title="Remote litellm">
            <TextInput
              label="URL of the team's litellm (empty: this stack's own)"
              aria-label="Remote litellm URL"
              placeholder="http://gpu-host:4000"
              value={litellmUrl}
              onChange={(e) => setLitellmUrl(e.currentTarget.value)}
              maw={420}
            />
            {settings.litellmUrl && !confirmed && (
              <Alert mt="sm" color="yellow" variant="light" data-testid="litellm-url-unconfirmed">
                Not used yet: Open WebUI and Chat use this stack's litellm until you confirm {settings.litellmUrl}. It
                then receives the master key.{' '}
                <Button size="compact-sm" variant="light" onClick={() => void confirm()}>
                  Use it and send it the master key
                </Button>
              </Alert>
            )}
            {confirmed && (
              <Text size="sm" c="dimmed" mt="xs">
                In use for Open WebUI and Chat (confirmed).
              </Text>
            )}
          </Section>
          <Section title="Secrets">
            <Text size="sm" c="dimmed" data-testid="secrets-storage" mb="xs">
              {snapshot.secretsStorage?.encrypted ? 'Kept in the system keychain.' : snapshot.secretsStorage?.note}
            </Text>
            <Stack gap={6}>
              {SECRET_NAMES.map((name) => (
                <PasswordInput
                  key={name}
                  label={name}
                  aria-label={name}
                  autoComplete="off"
                  placeholder={snapshot.secretsSet[name] ? '•••••••• (set)' : 'not set'}
                  value={secrets[name] ?? ''}
                  onChange={(e) => {
                    const v = e.currentTarget.value;
                    setSecrets((s) => ({ ...s, [name]: v }));
                  }}
                  maw={420}
                />
              ))}
            </Stack>
            <Text size="sm" mt="sm" component="label">
              Import a .env (HF_TOKEN, LITELLM_MASTER_KEY, LITELLM_ENVIRONMENT, LITELLM_URL){' '}
              <input
                type="file"
                aria-label="Import a .env"
                onChange={(e) => {
                  void importEnv(e.target.files?.[0]);
                  e.target.value = '';
                }}
              />
            </Text>
          </Section>
          {snapshot.app && (
            <Section title="The app">
              <Stack gap="xs">
                <Checkbox
                  label="Start Berth at login"
                  checked={startAtLogin}
                  onChange={(e) => setStartAtLogin(e.currentTarget.checked)}
                />
                {snapshot.app.startAtLogin.note && (
                  <Text size="sm" c="dimmed" data-testid="login-item-note">
                    {snapshot.app.startAtLogin.note}
                  </Text>
                )}
                <Checkbox
                  label="Check for updates daily and ask before installing them"
                  checked={autoUpdate}
                  onChange={(e) => setAutoUpdate(e.currentTarget.checked)}
                />
                <NativeSelect
                  label="When Berth quits"
                  aria-label="When Berth quits"
                  value={onQuit}
                  onChange={(e) => setOnQuit(e.currentTarget.value as typeof onQuit)}
                  w={260}
                  data={[
                    { value: 'leave-running', label: 'leave the stack running' },
                    { value: 'stop-stack', label: 'stop the stack' },
                  ]}
                />
              </Stack>
            </Section>
          )}
          <Group gap="sm">
            <Button type="submit">Save</Button>
            {message && (
              <Text size="sm" role="status" c={message.ok ? undefined : 'red.8'}>
                {message.text}
              </Text>
            )}
          </Group>
        </Stack>
      </form>
      <Engines api={api} snapshot={snapshot} onSaved={onSaved} />
      <Section title="What if">
        <WhatIf
          key={JSON.stringify(snapshot.planInputs?.settings.tuning ?? {})}
          api={api}
          snapshot={snapshot}
          onSaved={onSaved}
          message={whatIfMessage}
          setMessage={setWhatIfMessage}
        />
      </Section>
      <ExportPanel api={api} snapshot={snapshot} />
    </Stack>
  );
}

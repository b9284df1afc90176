import readline from 'node:readline';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import type { PlannedService } from '../../common/contracts/stack-plan.js';
import type { ProgressListener } from '../../common/contracts/progress.js';
import { explainFailure } from '../../common/explain/failures.js';
import { EngineError, dockerMessage } from './errors.js';
import { stackLabels } from './labels.js';
import type { Secrets } from '../../common/contracts/secrets.js';

/**
 * Runs inside the model's own vLLM image, which ships huggingface_hub: downloads what vLLM loads into the
 * shared cache and prints "BERTH-PROGRESS done total" from the cache folder's size while it works, so a first
 * start shows bytes instead of a silent ten minutes. Failures end with one "BERTH-ERROR <kind> <class>: <message>"
 * line: 401/403 (gated), 404 (no such repo), NOSPACE (the disk filled up), NETWORK (the Hub could not be reached),
 * OTHER. The hub's exceptions are told apart by class name, so a version that moves them still matches.
 */
export const PREFETCH_SCRIPT = `
import os, sys, threading, time
from huggingface_hub import HfApi, snapshot_download
from huggingface_hub.errors import GatedRepoError, RepositoryNotFoundError
repo = os.environ["BERTH_MODEL_ID"]
allow = ["*.json", "*.safetensors", "*.model", "*.tiktoken", "*.txt", "*.jinja", "tokenizer*"]
try:
    info = HfApi().model_info(repo, files_metadata=True)
    kinds = ("json", "safetensors", "model", "tiktoken", "txt", "jinja")
    total = sum(
        (s.size or 0)
        for s in info.siblings
        if not s.rfilename.startswith("original/") and s.rfilename.rsplit(".", 1)[-1] in kinds
    )
    hf_home = os.environ.get("HF_HOME", "/root/.cache/huggingface")
    folder = os.path.join(hf_home, "hub", "models--" + repo.replace("/", "--"))
    done = threading.Event()
    def report():
        while not done.is_set():
            size = 0
            for root, _, files in os.walk(folder):
                for f in files:
                    p = os.path.join(root, f)
                    if not os.path.islink(p):
                        size += os.path.getsize(p)
            print("BERTH-PROGRESS %d %d" % (min(size, total), total), flush=True)
            done.wait(1.0)
    threading.Thread(target=report, daemon=True).start()
    snapshot_download(repo, allow_patterns=allow, ignore_patterns=["original/*"])
    done.set()
    print("BERTH-PROGRESS %d %d" % (total, total), flush=True)
    print("BERTH-DONE", flush=True)
except GatedRepoError as e:
    code = e.response.status_code if getattr(e, "response", None) is not None else 401
    print("BERTH-ERROR %d GatedRepoError: %s" % (code, str(e).splitlines()[0]), flush=True)
    sys.exit(3)
except RepositoryNotFoundError as e:
    print("BERTH-ERROR 404 RepositoryNotFoundError: %s" % str(e).splitlines()[0], flush=True)
    sys.exit(4)
except Exception as e:
    names = {c.__name__ for c in type(e).__mro__}
    text = (str(e).splitlines() or [type(e).__name__])[0]
    if (isinstance(e, OSError) and e.errno == 28) or "No space left on device" in str(e):
        kind = "NOSPACE"
    elif names & {
        "ConnectionError", "ConnectError", "ConnectTimeout", "Timeout", "TimeoutException", "ProxyError", "SSLError",
        "LocalEntryNotFoundError", "OfflineModeIsEnabled",
    }:
        kind = "NETWORK"
    else:
        kind = "OTHER"
    if kind == "NETWORK":
        # No Hub to ask: the weights already in the cache will do, as vLLM reads them offline.
        try:
            snapshot_download(repo, allow_patterns=allow, ignore_patterns=["original/*"], local_files_only=True)
            print("BERTH-CACHED", flush=True)
            print("BERTH-DONE", flush=True)
            sys.exit(0)
        except Exception:
            pass
    print("BERTH-ERROR %s %s: %s" % (kind, type(e).__name__, text), flush=True)
    sys.exit(5)
`;

/** Downloads a model's weights before its server starts; a 401/403 is reported here, not by a crash loop. */
export async function prefetchWeights(
  docker: Docker,
  stack: string,
  service: PlannedService,
  secrets: Secrets,
  emit: ProgressListener,
): Promise<void> {
  const model = service.model;
  if (!model) return;
  const cache = service.mounts.find((m) => m.kind === 'volume' && m.target === '/root/.cache/huggingface');
  const container = await docker.createContainer({
    Image: service.image,
    Entrypoint: ['python3', '-c', PREFETCH_SCRIPT],
    Cmd: [],
    Env: [`BERTH_MODEL_ID=${model.id}`, ...(secrets.HF_TOKEN ? [`HF_TOKEN=${secrets.HF_TOKEN}`] : [])],
    Labels: { ...stackLabels(stack), 'dev.berth.job': 'prefetch' },
    HostConfig: {
      AutoRemove: false,
      ...(cache ? { Mounts: [{ Type: 'volume', Source: cache.source, Target: cache.target }] } : {}),
    },
  });
  const lines: string[] = [];
  try {
    const stream = (await container.attach({ stream: true, stdout: true, stderr: true })) as NodeJS.ReadableStream;
    const out = new PassThrough();
    docker.modem.demuxStream(stream, out, out);
    stream.on('end', () => out.end());
    const reader = readline.createInterface({ input: out, crlfDelay: Infinity });
    reader.on('line', (line) => {
      lines.push(line);
      const progress = /^BERTH-PROGRESS (\d+) (\d+)/.exec(line);
      if (progress)
        emit({
          kind: 'downloading',
          service: service.name,
          model: model.id,
          bytesDone: Number(progress[1]),
          bytesTotal: Number(progress[2]),
        });
    });
    try {
      await container.start();
    } catch (error) {
      const dockerSaid = dockerMessage(error);
      if (/executable file not found|no such file or directory/i.test(dockerSaid) && /python3/.test(dockerSaid)) {
        throw new EngineError(
          `cannot download ${model.id}'s weights ahead for ${service.name}: its image ${service.image} has no python3`,
          'set "prefetchWeights": false in settings (vLLM then downloads the weights itself as it starts), ' +
            'or use an official vLLM image',
        );
      }
      throw error;
    }
    const result = (await container.wait()) as { StatusCode: number };
    if (result.StatusCode !== 0) {
      const explained = explainFailure(service.name, lines);
      const error = lines.find((l) => l.startsWith('BERTH-ERROR')) ?? lines.at(-1) ?? `exit code ${result.StatusCode}`;
      throw new EngineError(
        explained?.message ?? `downloading ${model.id} for ${service.name} failed: ${error}`,
        explained?.fix ?? "read the message above; berth logs shows the model server's own attempt once it starts",
      );
    }
  } catch (error) {
    if (error instanceof EngineError) throw error;
    throw new EngineError(
      `downloading ${model.id} for ${service.name} failed: ${dockerMessage(error)}`,
      'read the message: berth doctor checks Docker, its disk space and the images',
    );
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

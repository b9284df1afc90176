import { describe, expect, it } from 'vitest';
import { imageLabels, judge } from './verdict.js';

const GiB = 1024 ** 3;
const FROM = 'vllm/vllm-openai-cpu:v0.30.0-x86_64';
// The running image is Berth's pinned default; the candidate a user's own build, named by its tag.
const TO = 'registry.example.com/vllm-openai-cpu:candidate';
const answers = (n: number) => Array.from({ length: 10 }, (_, i) => (i < n ? `other ${i}` : `answer ${i}`));
const before = {
  image: FROM,
  startSeconds: 40,
  peakBytes: 6 * GiB,
  kvTokens: 36_864,
  ttftSeconds: 0.2,
  tokensPerSecond: 20,
  answers: answers(0),
};

describe('judge: a candidate against the running image, at a margin', () => {
  it('keeps a candidate within the margin on every figure, with every answer the same', () => {
    // 10% of 40 s is 4 s: 43.9 s is within; 6.5 GiB is 8.3% more; 34,000 tokens 7.8% fewer; 19 tokens/s 5% slower.
    const verdict = judge(
      before,
      { ...before, image: TO, startSeconds: 43.9, peakBytes: 6.5 * GiB, kvTokens: 34_000, tokensPerSecond: 19 },
      0.1,
    );
    expect(verdict).toEqual({
      keep: true,
      worse: [],
      reason: 'candidate was no worse than v0.30.0-x86_64 by more than 10%: kept candidate',
    });
  });

  it('rolls back on memory and answers, in the words of the issue', () => {
    // 6.6 GiB against 6 GiB: 10% more, and 0.6 GiB over the 64 MiB floor; 2 of 10 answers differ.
    const verdict = judge(before, { ...before, image: TO, peakBytes: 6.61 * GiB, answers: answers(2) }, 0.1);
    expect(verdict.keep).toBe(false);
    expect(verdict.reason).toBe(
      'candidate used 0.61 GiB more at its peak and answered 2 of 10 questions differently: kept v0.30.0-x86_64',
    );
  });

  it('names each figure that is worse past the margin', () => {
    // 45 s is 12.5% (5 s) longer; 30,000 tokens is 6,864 fewer (18.6%); 0.3 s is 100 ms (50%) longer; 15 tokens/s
    // is 25% slower.
    const verdict = judge(
      before,
      { ...before, image: TO, startSeconds: 45, kvTokens: 30_000, ttftSeconds: 0.3, tokensPerSecond: 15 },
      0.1,
    );
    expect(verdict.worse).toEqual([
      'took 5 s longer to answer its first chat',
      'held 6,864 fewer KV cache tokens',
      'took 100 ms longer to its first token',
      'decoded 25% slower (15 tokens/s against 20)',
    ]);
  });

  it('takes a difference below its floor as two starts of one image differing, whatever the percentage', () => {
    // A 0.5 s start that becomes 1.2 s (+140%) is under the 1 s floor; 40 MiB more of 100 MiB (+40%) under 64 MiB;
    // 20 ms to a first token that becomes 60 ms (+200%) under 50 ms.
    const small = { image: FROM, startSeconds: 0.5, peakBytes: 100 * 1024 ** 2, ttftSeconds: 0.02 };
    const verdict = judge(small, { image: TO, startSeconds: 1.2, peakBytes: 140 * 1024 ** 2, ttftSeconds: 0.06 }, 0.1);
    expect(verdict.keep).toBe(true);
  });

  it('compares only figures known on both sides', () => {
    expect(judge({ image: FROM, kvTokens: 1000 }, { image: TO, peakBytes: 99 * GiB }, 0).keep).toBe(true);
  });

  it('holds a candidate beside the models to every check the running image passed', () => {
    const verdict = judge(
      { image: FROM, checks: ['Open WebUI answers', 'Prometheus has its litellm target up'] },
      { image: TO, checks: ['Open WebUI answers'] },
      0.1,
    );
    expect(verdict.reason).toBe(
      'candidate failed what the running image passed: Prometheus has its litellm target up: kept v0.30.0-x86_64',
    );
  });

  it('names images by their tags, or whole where the tags are the same', () => {
    expect(imageLabels(FROM, TO)).toEqual({ from: 'v0.30.0-x86_64', to: 'candidate' });
    expect(imageLabels('a/b:1', 'c/d:1')).toEqual({ from: 'a/b:1', to: 'c/d:1' });
  });
});

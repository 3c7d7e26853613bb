// Calls held before their tool runs until a test releases them: a downstream exactly as slow as the test
// needs, so it can act while a call is in flight (run the same call again, say) and then let it finish,
// whatever the machine's load does to the timing of everything else.
import type { ToolCall } from "./call-log.ts";

export interface CallHolds {
  /** Holds every call `matches` picks from now on; answers the release, which lets them all go on. */
  hold(matches: (call: ToolCall) => boolean): () => void;
  /** Resolves once no hold keeps the call. */
  pass(call: ToolCall): Promise<void>;
  /** Lets every held call go on, e.g. when the gateway stops. */
  releaseAll(): void;
}

interface Hold {
  matches: (call: ToolCall) => boolean;
  released: Promise<void>;
  release: () => void;
}

export function createCallHolds(): CallHolds {
  const holds = new Set<Hold>();
  return {
    hold(matches) {
      const { promise, resolve } = Promise.withResolvers<void>();
      const hold: Hold = {
        matches,
        released: promise,
        release: () => {
          holds.delete(hold);
          resolve();
        },
      };
      holds.add(hold);
      return hold.release;
    },
    async pass(call) {
      await Promise.all([...holds].filter((hold) => hold.matches(call)).map((hold) => hold.released));
    },
    releaseAll() {
      for (const hold of [...holds]) hold.release();
    },
  };
}

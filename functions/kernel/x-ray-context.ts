// The part of cls-hooked's API the X-Ray SDK (under the Powertools tracer) uses, on AsyncLocalStorage.
// cls-hooked tracks context with async_hooks, destroy hook included, so every promise in the process,
// traced or not, runs an init hook and is registered for destruction: a cost on each await of every
// function. Node 24's AsyncLocalStorage follows async context without hooks.
// The bundler puts this module in place of `cls-hooked/context` (infra/bundle-plugins.ts); the SDK's maintainers
// proposed the same route (aws/aws-xray-sdk-node#338).
//
// Semantics kept: a context is an object whose prototype is the context it was made in, so a value set in
// an outer context reads through; `run` and `bind` make a context current for a call and everything it
// starts; `enter` makes one current outside any `run`, which is how the SDK's Lambda mode installs the
// facade segment once at init, for every invocation after it.
import { AsyncLocalStorage } from "node:async_hooks";

type Context = Record<string, unknown>;

export class Namespace {
  readonly #storage = new AsyncLocalStorage<Context>();
  #entered: Context | undefined;
  readonly name: string;

  constructor(name: string) {
    this.name = name;
  }

  get active(): Context | undefined {
    return this.#storage.getStore() ?? this.#entered;
  }

  createContext(): Context {
    return Object.create(this.active ?? Object.prototype) as Context;
  }

  get(key: string): unknown {
    return this.active?.[key];
  }

  set<T>(key: string, value: T): T {
    const context = this.active;
    if (!context) throw new Error("No context available. ns.run() or ns.bind() must be called first.");
    context[key] = value;
    return value;
  }

  run(fn: (context: Context) => void): Context {
    const context = this.createContext();
    this.#storage.run(context, fn, context);
    return context;
  }

  runAndReturn<T>(fn: (context: Context) => T): T {
    const context = this.createContext();
    return this.#storage.run(context, fn, context);
  }

  runPromise<T>(fn: (context: Context) => Promise<T>): Promise<T> {
    return this.runAndReturn(fn);
  }

  bind<A extends unknown[], R>(fn: (...args: A) => R, context = this.active ?? this.createContext()) {
    const storage = this.#storage;
    return function (this: unknown, ...args: A): R {
      return storage.run(context, () => fn.apply(this, args));
    };
  }

  enter(context: Context): void {
    this.#entered = context;
  }

  exit(context: Context): void {
    if (this.#entered === context) this.#entered = undefined;
  }
}

const namespaces = new Map<string, Namespace>();

export function getNamespace(name: string): Namespace | undefined {
  return namespaces.get(name);
}

export function createNamespace(name: string): Namespace {
  const namespace = new Namespace(name);
  namespaces.set(name, namespace);
  return namespace;
}

export function destroyNamespace(name: string): void {
  namespaces.delete(name);
}

export function reset(): void {
  namespaces.clear();
}

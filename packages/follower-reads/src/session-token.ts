import { checkVersion } from "./options.ts";

/**
 * A client's session token: the highest version it has seen from its writes and reads. A
 * {@link FollowerReadClient} sends it as every read's minimum version, so the client reads its
 * own writes and never sees state older than it saw before, even when it switches replicas.
 * Share one token between the clients of one session; persist `version` to carry the session
 * across processes.
 */
export class SessionToken {
  #version: number;

  /**
   * @param version - a version already seen (a persisted token). Default 0.
   * @throws `InvalidArgumentError` unless `version` is a safe integer ≥ 0.
   */
  constructor(version = 0) {
    this.#version = checkVersion("session version", version);
  }

  /** The highest version seen. */
  get version(): number {
    return this.#version;
  }

  /**
   * Records a version seen: what a write returned (the index it committed at) or what a read
   * saw. Keeps the highest.
   *
   * @returns the token's version after the observation.
   * @throws `InvalidArgumentError` unless `version` is a safe integer ≥ 0.
   */
  observe(version: number): number {
    checkVersion("observed version", version);
    if (version > this.#version) this.#version = version;
    return this.#version;
  }
}

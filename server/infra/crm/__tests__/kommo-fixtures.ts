/** Shared set-up for the Kommo adapter tests: a simulator on a real port and clients aimed at it. */
import { startKommoSimulator, type KommoSimulatorOptions, type RunningKommoSimulator } from '../../../sandbox/kommo-sim/index.js';
import { KommoCrmClient, type KommoClientOptions } from '../kommo.client.js';

/** Millisecond backoff so retry tests stay fast; the policy shape is what is under test. */
export const FAST_RETRY = { baseDelayMs: 5, maxDelayMs: 20 };

let nextAccount = 7_000_000;

export interface SimAccountHandle {
  sub: string;
  accountId: number;
  token: string;
  client: (extra?: Partial<KommoClientOptions>) => KommoCrmClient;
}

export const startSim = (opts: KommoSimulatorOptions = {}): Promise<RunningKommoSimulator> => startKommoSimulator(opts);

/** A fresh account (own rate-limit budget) with a long-lived token and a client factory. */
export function newAccount(running: RunningKommoSimulator): SimAccountHandle {
  const accountId = nextAccount++;
  const sub = `acct${accountId}`;
  running.sim.addAccount({ subdomain: sub, id: accountId });
  const token = running.sim.addAccessToken(sub);
  return {
    sub,
    accountId,
    token,
    client: (extra = {}) =>
      new KommoCrmClient({
        baseUrl: `${running.url}/${sub}`,
        accountId,
        getAccessToken: async () => token,
        ...extra,
        retry: { ...FAST_RETRY, ...extra.retry },
      }),
  };
}

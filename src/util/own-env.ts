/**
 * bosun's own environment variables that hold a secret or say where one is:
 * bosun reads them, and the commands it starts on the controller (the local
 * connection's shell, `delegate_to: localhost`, local archive inspection)
 * never see them. The user's other variables pass through, as in Ansible.
 */

/** The become password, the private key passphrase and the vault password file. */
export const OWN_SECRET_ENV = ['BOSUN_BECOME_PASSWORD', 'BOSUN_KEY_PASSPHRASE', 'BOSUN_VAULT_PASSWORD_FILE'] as const;

/** The environment for a command bosun starts on the controller: its own without bosun's secret variables. */
export function localCommandEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const own = new Set<string>(OWN_SECRET_ENV);
  return Object.fromEntries(Object.entries(env).filter(([name]) => !own.has(name)));
}

/**
 * `selinux` (ansible.posix): set SELinux's state and policy in its config file (`SELINUX=`, `SELINUXTYPE=`)
 * and, where SELinux runs, its running state with setenforce, as the module decides it. Where SELinux is
 * absent (no config file) the task fails with the module's own message, "Unable to find file ...".
 */
import { sh } from '../util/shell.js';
import { defineModule } from './types.js';
import { boolSchema, toBool } from './lib/bool.js';
import { statAndRead } from './lib/remote-file.js';
import { applyFailed, applying, deciding, failed } from './lib/result.js';
import { writeEdited } from './lib/text-edit.js';

/** Arguments of `selinux`. */
export interface SelinuxArgs {
  state: 'enforcing' | 'permissive' | 'disabled';
  policy?: string;
  configfile?: string;
  conf?: string;
  file?: string;
  update_kernel_param?: boolean | string;
}

/** The value of the first `KEY=` line of the config, as the module reads it. */
function configValue(lines: string[], key: string): string | undefined {
  const line = lines.find((l) => l.startsWith(`${key}=`));
  return line?.split('=')[1]?.trim();
}

/** The config with every `KEY=` line replaced (or one added at the end), as the module writes it. */
export function setConfigValue(lines: string[], key: string, value: string): string[] {
  const found = lines.some((l) => l.startsWith(`${key}=`));
  const out = lines.map((l) => (l.startsWith(`${key}=`) ? `${key}=${value}` : l));
  return found ? out : [...out, `${key}=${value}`];
}

/** The `selinux` module. */
export default defineModule<SelinuxArgs>({
  name: 'selinux',
  docs: {
    short: "Set SELinux's state and policy",
    description:
      'Registers `msg`, `configfile`, `policy`, `state` and `reboot_required`. Where SELinux is absent (no config file) the task fails with "Unable to find file /etc/selinux/config".',
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['state'],
    properties: {
      state: { type: 'string', enum: ['enforcing', 'permissive', 'disabled'], description: 'The SELinux mode' },
      policy: { type: 'string', description: 'The policy (SELINUXTYPE); required unless state=disabled' },
      configfile: {
        type: 'string',
        default: '/etc/selinux/config',
        description: 'The config file (aliases: conf, file)',
      },
      conf: { type: 'string', description: 'Alias of configfile' },
      file: { type: 'string', description: 'Alias of configfile' },
      update_kernel_param: boolSchema(
        'Also set selinux=0 on the kernel command line with grubby: not supported',
        false,
      ),
    },
  },
  decide: (ctx, args) =>
    deciding(async () => {
      const configfile = args.configfile ?? args.conf ?? args.file ?? '/etc/selinux/config';
      const state = args.state;
      if (toBool(args.update_kernel_param)) return failed('update_kernel_param (grubby) is not supported by bosun');
      const probe = await ctx.conn.exec(
        'if [ -f /sys/fs/selinux/enforce ]; then echo "RUNTIME $(cat /sys/fs/selinux/enforce)"; fi',
      );
      const runtime = /^RUNTIME (\d)/m.exec(probe.stdout);
      const runtimeState = runtime ? (runtime[1] === '1' ? 'enforcing' : 'permissive') : 'disabled';
      const { followed: st, real, data } = await statAndRead(ctx.conn, configfile);
      if (!st.exists || st.type !== 'file' || data === null) return failed(`Unable to find file ${configfile}`);
      let lines = data.toString('utf8').split('\n');
      if (lines.at(-1) === '') lines.pop();
      const configPolicy = configValue(lines, 'SELINUXTYPE');
      const configState = configValue(lines, 'SELINUX');
      if (state !== 'disabled' && !args.policy) return failed("Policy is required if state is not 'disabled'");
      const policy = args.policy ?? configPolicy;
      const msgs: string[] = [];
      const warnings: string[] = [];
      let rebootRequired = false;
      let setenforce: string | undefined;
      if (policy !== configPolicy) {
        lines = setConfigValue(lines, 'SELINUXTYPE', policy ?? 'None');
        msgs.push(
          `SELinux policy configuration in '${configfile}' changed from '${configPolicy ?? 'None'}' to '${policy ?? 'None'}'`,
        );
      }
      let changed = msgs.length > 0;
      if (state !== runtimeState) {
        if (runtime) {
          if (state === 'disabled') {
            if (runtimeState !== 'permissive') {
              setenforce = '0';
              warnings.push(
                `SELinux state temporarily changed from '${runtimeState}' to 'permissive'. State change will take effect next reboot.`,
              );
              changed = true;
            } else warnings.push('SELinux state change will take effect next reboot');
            rebootRequired = true;
          } else {
            setenforce = state === 'enforcing' ? '1' : '0';
            msgs.push(`SELinux state changed from '${runtimeState}' to '${state}'`);
            changed = true;
          }
        } else {
          warnings.push(`Reboot is required to set SELinux state to '${state}'`);
          rebootRequired = true;
        }
      }
      if (state !== configState) {
        lines = setConfigValue(lines, 'SELINUX', state);
        msgs.push(`Config SELinux state changed from '${configState ?? 'None'}' to '${state}'`);
        changed = true;
      }
      const result = { msg: msgs.join(', '), configfile, policy, state, reboot_required: rebootRequired };
      if (!changed) return { kind: 'ok', data: result, warnings };
      const after = lines.map((l) => `${l}\n`).join('');
      return {
        kind: 'change',
        data: result,
        warnings,
        diff: [{ path: configfile, before: data.toString('utf8'), after }],
        apply: () =>
          applying(async () => {
            if (setenforce !== undefined) {
              const res = await ctx.conn.exec(sh`setenforce ${setenforce}`);
              if (res.rc !== 0) return applyFailed(res.stderr.trim() || 'setenforce failed');
            }
            const out = await writeEdited(ctx, {
              real,
              st,
              changed: after !== data.toString('utf8'),
              after: Buffer.from(after, 'utf8'),
              attrs: {},
              plan: {},
              backup: false,
            });
            return out.failed !== undefined ? applyFailed(out.failed) : { kind: 'applied', data: result };
          }),
      };
    }),
});

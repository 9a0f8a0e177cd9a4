#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: sosplan contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: sosplan
short_description: Apply a sosplan host layout, or report whether a host drifted from it
version_added: "1.0.0"
description:
  - Runs the C(sosplan) command line on the target and reads only its JSON contracts
    (C(sosplan.plan/v1), the event lines of C(apply --format json), C(sosplan.status/v1)),
    never its human text.
  - With O(state=present) it applies a host layout with C(sosplan apply --yes --format json).
    C(changed) is true when sosplan completed at least one step.
  - In check mode it runs C(sosplan plan --format json --check-hostname) only, which changes nothing
    on the host, and reports C(changed) from the plan. Like an apply, it fails when the layout's
    C(metadata.hostname) does not match the host. With C(--diff) every step of the plan is shown
    with its before and after properties.
  - When a step fails, sosplan undoes the completed steps newest first and observes the host
    again. The task fails with sosplan's message and says whether the host was rolled back
    (RV(rolled_back)) or what is left (RV(left)).
  - With O(state=status) it runs C(sosplan status --format json) and returns the last apply and
    the drift from it. It never changes anything and never fails because of drift.
  - Host options that are not given here come from the environment of the task
    (C(SOSPLAN_ROOT), C(SOSPLAN_SYSTEMD_BUS), C(SOSPLAN_UNIT_DIR), C(SOSPLAN_TOOLS_DIR),
    C(SOSPLAN_STATE_DIR)), as for the command line.
author:
  - sosplan contributors (@sosplan)
options:
  state:
    description:
      - V(present) applies the layout (plans only in check mode).
      - V(status) reports the last apply and the drift from it; O(layout) and O(content) are not used.
    type: str
    choices: [present, status]
    default: present
  layout:
    description:
      - Path of the host layout (YAML) on the target.
      - Exactly one of O(layout) and O(content) is required with O(state=present).
    type: path
  content:
    description:
      - The host layout itself, for example rendered by C(lookup('template', 'host.yaml.j2')).
      - It is written to a private temporary file named O(content_name) on the target for the
        run and removed afterwards; sosplan's C(FILE:LINE:COLUMN) diagnostics say
        O(content_name), and the line numbers are those of the rendered content.
    type: str
  content_name:
    description:
      - The file name given to O(content) on the target, so that diagnostics say which layout
        they are about.
    type: str
    default: layout.yaml
  sosplan_path:
    description:
      - The C(sosplan) program. Default is C(sosplan) found in C(PATH) (and C(/usr/local/bin)).
      - A path that is not an executable file fails the task with that path named, before anything runs.
    type: path
  state_dir:
    description:
      - sosplan's state directory (journal, lock, last applied state); C(--state-dir).
      - Default is C(SOSPLAN_STATE_DIR), else C(/var/lib/sosplan).
    type: path
  lock_timeout:
    description:
      - Seconds to wait for another apply holding the lock in O(state_dir); C(--lock-timeout).
    type: float
    default: 0
  rollback_on_failure:
    description:
      - sosplan always undoes the completed steps of a failed apply and checks that the host
        is as before; there is no way to keep a half-applied host.
      - V(true) states this. V(false) is refused before anything runs rather than ignored.
    type: bool
    default: true
  root:
    description:
      - Read C(/sys) and C(/proc) under this directory instead of C(/); C(--root).
    type: path
  systemd_bus:
    description:
      - Address of systemd's bus; C(--systemd-bus).
    type: str
  unit_dir:
    description:
      - Directory for unit files and drop-ins; C(--unit-dir).
    type: path
  tools_dir:
    description:
      - Directory of the co-kernel tools and launchers; C(--tools-dir).
    type: path
notes:
  - Supports check mode (plan only) and diff mode (the plan's steps, before and after).
  - Exit codes read from sosplan are those of its v1 contract. C(plan) 0 no changes, 2 changes,
    1 error. C(apply) 0 converged, 1 failed and rolled back (or did not start), 3 failed and could
    not roll back. C(status) 0 in sync, 2 drifted, 1 error.
attributes:
  check_mode:
    description: Check mode runs C(sosplan plan) only, which changes nothing.
    support: full
  diff_mode:
    description: Each step of the plan is shown with its before and after properties.
    support: full
requirements:
  - sosplan on the target
'''

EXAMPLES = r'''
- name: Apply the layout rendered for this host group
  hpc.sosplan.sosplan:
    content: "{{ lookup('template', 'layouts/' + sosplan_layout_template) }}"
    content_name: "{{ inventory_hostname }}.yaml"
    lock_timeout: 30

- name: Apply a layout that is already on the host
  hpc.sosplan.sosplan:
    layout: /etc/sosplan/host.yaml

- name: What would change (run with --check --diff)
  hpc.sosplan.sosplan:
    layout: /etc/sosplan/host.yaml
  check_mode: true
  register: plan

- name: Report drift from the last apply
  hpc.sosplan.sosplan:
    state: status
  register: st
'''

RETURN = r'''
changed:
  description: Whether the host changed (apply) or would change (check mode).
  returned: always
  type: bool
exit_code:
  description:
    - Exit code of the sosplan command that ran last (not C(rc), which Ansible reads as a failure
      when it is not 0, while C(plan) exits 2 and C(status) 2 without failing).
  returned: when sosplan ran
  type: int
  sample: 0
cmd:
  description: The sosplan command line that ran last.
  returned: when sosplan ran
  type: list
  elements: str
stderr:
  description: sosplan's standard error (diagnostics, warnings).
  returned: when sosplan ran
  type: str
plan:
  description: The C(sosplan.plan/v1) object that was planned (check mode) or carried out.
  returned: with O(state=present) when a plan was made
  type: dict
summary:
  description: The plan's counts of steps that add, change and destroy.
  returned: with O(state=present) when a plan was made
  type: dict
  sample: {"add": 3, "change": 1, "destroy": 0}
steps:
  description:
    - The steps sosplan did, in order (also those done before a failure, then undone), or in
      check mode the steps it would take.
  returned: with O(state=present) when a plan was made
  type: list
  elements: dict
  sample: [{"step": "s1", "action": "slice.update", "target": "sosplan-web.slice", "disruption": "live"}]
outcome:
  description: The outcome of the apply (C(no-changes), C(converged), C(rolled-back), C(rollback-incomplete)).
  returned: when sosplan apply finished
  type: str
  sample: converged
rolled_back:
  description:
    - True when a step failed and sosplan undid everything, the host being as before the apply.
    - False when the undo was incomplete (see RV(left)) or nothing needed undoing.
  returned: when sosplan apply finished
  type: bool
failed_step:
  description: The step that failed, with its action, target and sosplan's error.
  returned: when a step failed
  type: dict
undone:
  description: Ids of the steps sosplan undid after the failure.
  returned: when sosplan apply finished
  type: list
  elements: str
left:
  description: What differs from the host before the apply when the rollback was incomplete.
  returned: when the rollback was incomplete
  type: list
  elements: str
undo_failures:
  description: The undo steps that failed, each with the step and sosplan's error, when the rollback was incomplete.
  returned: when the rollback was incomplete
  type: list
  elements: dict
events:
  description: Every JSON event line of C(sosplan apply --format json), as dicts.
  returned: with O(state=present), not in check mode
  type: list
  elements: dict
repaired:
  description: What sosplan gave back first after an earlier apply had been interrupted (a crash).
  returned: when an interrupted apply was repaired
  type: list
  elements: str
status:
  description: The C(sosplan.status/v1) object.
  returned: with O(state=status)
  type: dict
in_sync:
  description: Whether the host matches its last apply (C(sosplan status) exit 0).
  returned: with O(state=status)
  type: bool
'''

import json
import os
import shutil
import tempfile

from ansible.module_utils.basic import AnsibleModule

# Host options of the command line and their module options.
HOST_OPTIONS = (
    ('root', '--root'),
    ('systemd_bus', '--systemd-bus'),
    ('unit_dir', '--unit-dir'),
    ('tools_dir', '--tools-dir'),
    ('state_dir', '--state-dir'),
)


def host_arguments(params):
    args = []
    for name, flag in HOST_OPTIONS:
        value = params[name]
        if value is not None:
            # Paths absolute: sosplan may run from another directory (see Runner.cwd).
            args += [flag, value if name == 'systemd_bus' else os.path.abspath(value)]
    return args


def json_lines(text):
    """The JSON objects of an event stream (one per line); other lines are not sosplan's contract."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith('{'):
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
    return out


def property_text(props):
    """A step's before/after properties as sorted `name: value` lines (values in JSON)."""
    if not props:
        return ''
    return ''.join('%s: %s\n' % (k, json.dumps(props[k], sort_keys=True)) for k in sorted(props))


def step_diff(step):
    title = '%s %s %s' % (step.get('id'), step.get('action'), step.get('target'))
    if step.get('disruption') not in (None, 'none', 'live'):
        title += ' (%s)' % step['disruption']
    return {
        'before_header': title,
        'after_header': title,
        'before': property_text(step.get('before')),
        'after': property_text(step.get('after')),
    }


def step_summary(step):
    return dict((k, step.get(k)) for k in ('id', 'action', 'target', 'disruption', 'dependsOn'))


class Runner(object):
    def __init__(self, module):
        self.module = module
        # Where a relative layout path is found: O(content) runs as `sosplan plan NAME` from
        # its scratch directory, so that diagnostics say NAME:LINE:COLUMN.
        self.cwd = None
        path = module.params['sosplan_path']
        if path is not None and not (os.path.isfile(path) and os.access(path, os.X_OK)):
            # ansible-core would only say "Error executing command." and hide the reason.
            why = 'does not exist' if not os.path.exists(path) else 'is not an executable file'
            module.fail_json(msg="sosplan_path '%s' %s on this host; nothing was run" % (path, why))
        self.binary = path or module.get_bin_path('sosplan', required=True, opt_dirs=['/usr/local/bin'])
        self.result = dict(changed=False)

    def run(self, arguments, cwd=None):
        cmd = [self.binary] + arguments
        rc, out, err = self.module.run_command(cmd, cwd=cwd)
        self.result.update(exit_code=rc, cmd=cmd, stderr=err)
        return rc, out, err

    def fail(self, msg, **extra):
        self.result.update(extra)
        self.module.fail_json(msg=msg, **self.result)

    def stderr_message(self, what, rc, err):
        # sosplan's diagnostics (FILE:LINE:COLUMN: error: ...) and hints, as the command line printed them.
        text = err.strip() or 'no message'
        return 'sosplan %s failed (exit %d): %s' % (what, rc, text)

    def show_plan(self, plan):
        steps = plan.get('steps') or []
        self.result.update(plan=plan, summary=plan.get('summary'))
        if self.module._diff:
            self.result['diff'] = [step_diff(s) for s in steps]
        return steps

    # state=present, check mode: plan only.
    def plan(self, layout):
        # --check-hostname: refused on a host metadata.hostname does not name, as apply refuses it.
        args = ['plan', layout, '--format', 'json', '--check-hostname']
        rc, out, err = self.run(args + host_arguments(self.module.params), cwd=self.cwd)
        if rc not in (0, 2):
            self.fail(self.stderr_message('plan', rc, err))
        try:
            plan = json.loads(out)
        except ValueError:
            self.fail('sosplan plan (exit %d) printed no plan JSON' % rc)
        steps = self.show_plan(plan)
        self.result['steps'] = [step_summary(s) for s in steps]
        self.result['changed'] = bool(plan.get('changes')) and rc == 2
        self.module.exit_json(**self.result)

    # state=present: apply.
    def apply(self, layout):
        p = self.module.params
        args = ['apply', layout, '--yes', '--format', 'json', '--lock-timeout', repr(float(p['lock_timeout']))]
        rc, out, err = self.run(args + host_arguments(p), cwd=self.cwd)
        events = json_lines(out)
        self.result['events'] = events
        planned = [e for e in events if e.get('event') == 'planned']
        plan = planned[-1].get('plan') if planned else None
        steps_by_id = {}
        if isinstance(plan, dict):
            steps_by_id = dict((s.get('id'), s) for s in self.show_plan(plan))
        finished = [e for e in events if e.get('event') == 'finished']
        for e in events:
            if e.get('event') == 'warning':
                self.module.warn(e.get('message', ''))
            elif e.get('event') == 'interrupted':
                self.module.warn('an earlier apply did not finish (%s); sosplan finished it first' % e.get('progress'))
        if not finished:
            # Refused before it began (invalid layout, does not fit, lock held, wrong host): nothing changed.
            self.fail(self.stderr_message('apply', rc, err), rolled_back=False)
        end = finished[-1]
        outcome = end.get('outcome')
        completed = end.get('completed') or []
        undone = end.get('undone') or []
        self.result.update(outcome=outcome, undone=undone)
        # The steps done, in order (also those done before a failure, which `undone` then lists).
        done = [e.get('step') for e in events if e.get('event') == 'step-done']
        self.result['steps'] = [step_summary(steps_by_id.get(i, {'id': i})) for i in done]
        # After a crashed apply, sosplan first gives back what nobody owns: that changes the host too.
        repaired = [a for e in events if e.get('event') == 'repaired' for a in (e.get('actions') or [])]
        if repaired:
            self.result['repaired'] = repaired
        if outcome in ('converged', 'no-changes') and rc == 0:
            self.result['changed'] = len(completed) > 0 or len(done) > 0 or len(repaired) > 0
            self.result['rolled_back'] = False
            self.module.exit_json(**self.result)
        failed = [e for e in events if e.get('event') == 'step-failed']
        if failed:
            f = failed[-1]
            self.result['failed_step'] = dict((k, f.get(k)) for k in ('step', 'action', 'target', 'error'))
        error = end.get('error') or (failed[-1].get('error') if failed else None) or err.strip()
        where = ' at %s %s %s' % (f.get('step'), f.get('action'), f.get('target')) if failed else ''
        if outcome == 'rolled-back' or outcome == 'restored':
            # Everything done was undone and sosplan observed the host as it was before.
            self.result.update(changed=False, rolled_back=True)
            self.fail('sosplan apply failed%s and rolled back, the host is as before: %s' % (where, error))
        left = end.get('left') or []
        self.result.update(changed=True, rolled_back=False, left=left)
        self.fail('sosplan apply failed%s and could not roll back (exit %s): %s; left: %s'
                  % (where, rc, error, '; '.join(left) or 'see undo_failures'), undo_failures=end.get('undoFailures') or [])

    def status(self):
        rc, out, err = self.run(['status', '--format', 'json'] + host_arguments(self.module.params))
        if rc not in (0, 2):
            self.fail(self.stderr_message('status', rc, err))
        try:
            status = json.loads(out)
        except ValueError:
            self.fail('sosplan status (exit %d) printed no status JSON' % rc)
        self.result.update(status=status, in_sync=(rc == 0))
        self.module.exit_json(**self.result)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            state=dict(type='str', default='present', choices=['present', 'status']),
            layout=dict(type='path'),
            content=dict(type='str'),
            content_name=dict(type='str', default='layout.yaml'),
            sosplan_path=dict(type='path'),
            state_dir=dict(type='path'),
            lock_timeout=dict(type='float', default=0),
            rollback_on_failure=dict(type='bool', default=True),
            root=dict(type='path'),
            systemd_bus=dict(type='str'),
            unit_dir=dict(type='path'),
            tools_dir=dict(type='path'),
        ),
        mutually_exclusive=[('layout', 'content')],
        required_if=[('state', 'present', ('layout', 'content'), True)],
        supports_check_mode=True,
    )
    p = module.params
    if not p['rollback_on_failure']:
        module.fail_json(msg='rollback_on_failure: false is not supported: sosplan always undoes a failed apply '
                             'and checks that the host is as before; nothing was run')
    if p['lock_timeout'] < 0:
        module.fail_json(msg='lock_timeout must be 0 or more seconds')
    name = p['content_name']
    if not name or '/' in name or name in ('.', '..') or name.startswith('-'):
        module.fail_json(msg="content_name must be a plain file name, found '%s'" % name)

    runner = Runner(module)
    if p['state'] == 'status':
        runner.status()

    scratch = None
    # Absolute, so that it is never read as an option and does not depend on the directory.
    layout = os.path.abspath(p['layout']) if p['layout'] is not None else None
    try:
        if p['content'] is not None:
            scratch = tempfile.mkdtemp(prefix='sosplan-', dir=module.tmpdir)
            with open(os.path.join(scratch, name), 'w') as f:
                f.write(p['content'])
            runner.cwd = scratch
            layout = name
        if module.check_mode:
            runner.plan(layout)
        else:
            runner.apply(layout)
    finally:
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == '__main__':
    main()

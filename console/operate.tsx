// Operating the engine from the page, through the operator CLI's commands on the server: approve an intent
// (checked here against the intent contract's own validator as it is typed, and again by the CLI), the kill
// switches (global, tenant, action type) with their reasons, and the registry's entries.
import { useEffect, useState } from "preact/hooks";
import { describeSchemaErrors } from "../functions/kernel/errors.ts";
import type { ActionResult, OperateView } from "../local/console/api-types.ts";
import { ActionIntent as validateActionIntent } from "../schemas/validators.generated.js";
import { getJson, postAction } from "./api.ts";
import { json } from "./format.ts";

function Result(props: { result: ActionResult | undefined; done: string }) {
  if (!props.result) return null;
  return props.result.ok ? (
    <p class="ok" role="status">
      {props.done}
    </p>
  ) : (
    <p class="error" role="alert">
      {props.result.message}
    </p>
  );
}

const newIntentId = () => `intent-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;

function ApproveForm(props: { actionTypes: { type: string; version: number }[]; onDone: () => void }) {
  const [intentId, setIntentId] = useState(newIntentId);
  const [tenant, setTenant] = useState("tenant-demo");
  const [account, setAccount] = useState("account-demo");
  const [actionType, setActionType] = useState("CREATE_CRM_TASK");
  const [version, setVersion] = useState("1");
  const [parameters, setParameters] = useState('{\n  "title": "Follow up on the renewal"\n}');
  const [expiresInMinutes, setExpiresInMinutes] = useState("60");
  const [result, setResult] = useState<ActionResult | undefined>();
  const [busy, setBusy] = useState(false);

  let parsedParameters: unknown;
  let problem: string | undefined;
  try {
    parsedParameters = JSON.parse(parameters);
  } catch (error) {
    problem = `parameters is not JSON: ${(error as Error).message}`;
  }
  const intent = {
    action_intent_id: intentId,
    tenant_id: tenant,
    account_id: account,
    action_type: actionType,
    parameters: parsedParameters,
    registry_version: Number(version),
    trace_id: `decision-${intentId}`,
    expires_at_epoch: Math.floor(Date.now() / 1000) + Math.round(Number(expiresInMinutes) * 60),
  };
  if (!problem && !validateActionIntent(intent)) problem = describeSchemaErrors(validateActionIntent.errors);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (problem) return;
    setBusy(true);
    const answer = await postAction("/api/approve", JSON.stringify(intent));
    setBusy(false);
    setResult(answer);
    if (answer.ok) {
      setIntentId(newIntentId());
      props.onDone();
    }
  };
  const approved = result?.ok ? (result.result as { action_intent_id?: string }).action_intent_id : undefined;

  return (
    <form class="card form" onSubmit={submit} data-form="approve">
      <h3>Approve an intent</h3>
      <p class="muted small">
        Stores the intent and publishes its ACTION_APPROVED event, as <code>npm run engine -- approve</code> does.
      </p>
      <label>
        action_intent_id{" "}
        <input name="action_intent_id" value={intentId} onInput={(e) => setIntentId(e.currentTarget.value)} />
      </label>
      <label>
        tenant_id <input name="tenant_id" value={tenant} onInput={(e) => setTenant(e.currentTarget.value)} />
      </label>
      <label>
        account_id <input name="account_id" value={account} onInput={(e) => setAccount(e.currentTarget.value)} />
      </label>
      <label>
        action_type{" "}
        <select
          name="action_type"
          value={actionType}
          onChange={(e) => {
            const chosen = e.currentTarget.value;
            setActionType(chosen);
            const latest = props.actionTypes.filter((entry) => entry.type === chosen).at(-1);
            if (latest) setVersion(String(latest.version));
          }}
        >
          {[...new Set(props.actionTypes.map((entry) => entry.type))].map((type) => (
            <option key={type} value={type}>
              {type}
            </option>
          ))}
        </select>
      </label>
      <label>
        registry_version{" "}
        <input
          name="registry_version"
          type="number"
          min="1"
          value={version}
          onInput={(e) => setVersion(e.currentTarget.value)}
        />
      </label>
      <label>
        expires in (minutes){" "}
        <input
          name="expires_in_minutes"
          type="number"
          value={expiresInMinutes}
          onInput={(e) => setExpiresInMinutes(e.currentTarget.value)}
        />
      </label>
      <label class="wide">
        parameters (JSON)
        <textarea name="parameters" rows={4} value={parameters} onInput={(e) => setParameters(e.currentTarget.value)} />
      </label>
      {problem && (
        <p class="error" data-part="contract-check">
          Not a valid action intent: {problem}
        </p>
      )}
      <button type="submit" disabled={busy || problem !== undefined}>
        Approve
      </button>
      <Result result={result} done={`Stored and approved ${approved ?? ""}: it appears under Executions.`} />
    </form>
  );
}

function KillSwitchForm(props: { onDone: () => void }) {
  const [scope, setScope] = useState<"global" | "tenant">("tenant");
  const [tenant, setTenant] = useState("tenant-demo");
  const [actionType, setActionType] = useState("");
  const [reason, setReason] = useState("");
  const [result, setResult] = useState<ActionResult | undefined>();
  const change = async (on: boolean) => {
    const answer = await postAction(
      "/api/kill-switch",
      JSON.stringify({
        on,
        ...(scope === "tenant" ? { tenant } : {}),
        ...(actionType ? { actionType } : {}),
        ...(reason ? { reason } : {}),
      }),
    );
    setResult(answer);
    if (answer.ok) props.onDone();
  };
  return (
    <form class="card form" data-form="kill-switch" onSubmit={(event) => event.preventDefault()}>
      <h3>Change a kill switch</h3>
      <p class="muted small">
        The next execution reads it: stopped ones end FAILED with error class KILL_SWITCH and call no tool.
      </p>
      <label>
        scope{" "}
        <select name="scope" value={scope} onChange={(e) => setScope(e.currentTarget.value as "global" | "tenant")}>
          <option value="tenant">one tenant</option>
          <option value="global">every tenant (global)</option>
        </select>
      </label>
      {scope === "tenant" && (
        <label>
          tenant <input name="tenant" value={tenant} onInput={(e) => setTenant(e.currentTarget.value)} />
        </label>
      )}
      <label>
        only action type{" "}
        <input
          name="action_type"
          placeholder="(all)"
          value={actionType}
          onInput={(e) => setActionType(e.currentTarget.value)}
        />
      </label>
      <label class="wide">
        reason{" "}
        <input
          name="reason"
          placeholder="required to turn on"
          value={reason}
          onInput={(e) => setReason(e.currentTarget.value)}
        />
      </label>
      <div class="buttons">
        <button type="button" class="danger" onClick={() => change(true)}>
          Turn on
        </button>
        <button type="button" onClick={() => change(false)}>
          Turn off
        </button>
      </div>
      <Result result={result} done="Changed: the next execution sees it." />
    </form>
  );
}

function RegistryForm(props: { onDone: () => void }) {
  const [text, setText] = useState("");
  const [result, setResult] = useState<ActionResult | undefined>();
  const submit = async (event: Event) => {
    event.preventDefault();
    const answer = await postAction("/api/registry", text);
    setResult(answer);
    if (answer.ok) props.onDone();
  };
  return (
    <form class="card form" data-form="registry" onSubmit={submit}>
      <h3>Add a registry version</h3>
      <p class="muted small">
        Checked like <code>npm run engine -- registry put</code>: the contract, a free version, the gateway's tools.
      </p>
      <textarea
        class="wide"
        name="entry"
        rows={8}
        value={text}
        placeholder="a registry entry as JSON"
        onInput={(e) => setText(e.currentTarget.value)}
      />
      <button type="submit" disabled={text.trim() === ""}>
        Add
      </button>
      <Result result={result} done="Registered." />
    </form>
  );
}

export function OperateScreen() {
  const [view, setView] = useState<OperateView | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [version, setVersion] = useState(0);
  useEffect(() => {
    getJson<OperateView>("/api/operate").then(
      (loaded) => {
        setView(loaded);
        setError(undefined);
      },
      (failure: Error) => setError(failure.message),
    );
  }, [version]);
  const reload = () => setVersion((count) => count + 1);
  const actionTypes = (view?.registry ?? []).map((entry) => ({
    type: String(entry.action_type),
    version: Number(entry.registry_version),
  }));
  return (
    <section class="operate">
      <div class="toolbar">
        <h2>Operate</h2>
        <span class="muted">the operator CLI's commands, against this engine</span>
      </div>
      {error && <p class="error">{error}</p>}
      <div class="operate-grid">
        <ApproveForm actionTypes={actionTypes} onDone={reload} />
        <div>
          <KillSwitchForm onDone={reload} />
          <table class="list controls" data-part="kill-switches">
            <thead>
              <tr>
                <th>Scope</th>
                <th>Kill switch</th>
                <th>Disabled action types</th>
                <th>Reason</th>
                <th>Changed</th>
              </tr>
            </thead>
            <tbody>
              {view?.controls.map((controls) => (
                <tr
                  key={controls.tenant ?? "global"}
                  data-scope={controls.tenant ?? "global"}
                  data-on={String(controls.killSwitch)}
                >
                  <td>{controls.tenant ? `tenant ${controls.tenant}` : "global"}</td>
                  <td>
                    <span class={`badge ${controls.killSwitch ? "badge-alarm" : "badge-ok"}`}>
                      {controls.killSwitch ? "ON" : "off"}
                    </span>
                  </td>
                  <td>{controls.disabledActionTypes.join(", ") || "none"}</td>
                  <td>{controls.reason ?? ""}</td>
                  <td class="small">
                    {controls.updatedAt ?? "never"} {controls.updatedBy ? `by ${controls.updatedBy}` : ""}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
      <h3>Registry</h3>
      <table class="list registry" data-part="registry">
        <thead>
          <tr>
            <th>Action type</th>
            <th>Version</th>
            <th>Tool</th>
            <th>Compensation</th>
            <th>Parameter mapping</th>
          </tr>
        </thead>
        <tbody>
          {view?.registry.map((entry) => (
            <tr key={`${entry.action_type}-${entry.registry_version}`}>
              <td>{String(entry.action_type)}</td>
              <td>{String(entry.registry_version)}</td>
              <td>{String(entry.tool_name)}</td>
              <td>
                {String(entry.compensation_strategy)}
                {entry.compensation_tool_name ? ` with ${String(entry.compensation_tool_name)}` : ""}
              </td>
              <td>
                <code class="small">{json(entry.parameter_mapping).replace(/\s+/g, " ")}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <RegistryForm onDone={reload} />
    </section>
  );
}

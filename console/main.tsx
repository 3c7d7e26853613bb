// The console's page: a header with the views, and the view the location's fragment names
// (#/executions, #/executions/<id>, #/alarms, #/alarms/<id>, #/dashboard[?period=<s>], #/operate).
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import "uplot/dist/uPlot.min.css";
import "./styles.css";
import { AlarmsScreen } from "./alarms.tsx";
import { DashboardScreen } from "./dashboard.tsx";
import { ExecutionScreen } from "./execution.tsx";
import { ExecutionsScreen } from "./executions.tsx";
import { OperateScreen } from "./operate.tsx";

const views = [
  { path: "executions", title: "Executions" },
  { path: "alarms", title: "Alarms" },
  { path: "dashboard", title: "Dashboard" },
  { path: "operate", title: "Operate" },
];

function useFragment(): string[] {
  // A view's own settings follow a `?` (#/dashboard?period=60).
  const read = () => (location.hash.replace(/^#\/?/, "").split("?")[0] ?? "").split("/").filter(Boolean);
  const [parts, setParts] = useState(read);
  useEffect(() => {
    const changed = () => setParts(read());
    addEventListener("hashchange", changed);
    return () => removeEventListener("hashchange", changed);
  }, []);
  return parts;
}

function Screen(props: { parts: string[] }) {
  const [view = "executions", id] = props.parts;
  switch (view) {
    case "executions":
      return id ? <ExecutionScreen key={id} id={id} /> : <ExecutionsScreen />;
    case "alarms":
      return <AlarmsScreen id={id} />;
    case "dashboard":
      return <DashboardScreen />;
    case "operate":
      return <OperateScreen />;
    default:
      return <p class="error">No view {view}.</p>;
  }
}

function App() {
  const parts = useFragment();
  const current = parts[0] ?? "executions";
  return (
    <>
      <header>
        <h1>Action execution engine</h1>
        <nav>
          {views.map((view) => (
            <a key={view.path} href={`#/${view.path}`} class={current === view.path ? "active" : ""}>
              {view.title}
            </a>
          ))}
        </nav>
        <span class="muted small">local engine console</span>
      </header>
      <main>
        <Screen parts={parts} />
      </main>
    </>
  );
}

const root = document.getElementById("app");
if (root) render(<App />, root);

// An execution's or alarm's state, coloured the way the AWS consoles colour it.
export function StatusBadge(props: { status: string }) {
  return <span class={`badge badge-${props.status.toLowerCase()}`}>{props.status}</span>;
}

/** The console's styles: readable, visible focus, nothing fetched. */
export const CONSOLE_STYLE = `
body{font:15px/1.4 system-ui,sans-serif;margin:1rem 2rem;color:#1b1b1b}
label{margin:0 .3rem 0 .8rem}
table{border-collapse:collapse;margin:.8rem 0;width:100%}
th,td{border-bottom:1px solid #ccc;padding:.25rem .5rem;text-align:left}
tbody tr{cursor:pointer}tbody tr:hover,tbody tr:focus{background:#eef4ff}
:focus{outline:3px solid #1a5fd0;outline-offset:1px}
#edit-errors{color:#a00000}#outcome{font-weight:600}
pre{background:#f4f4f4;padding:.5rem;overflow:auto}
textarea{display:block;font-family:monospace}
progress{width:24rem;height:1.2rem;vertical-align:middle}#replay-status{font-variant-numeric:tabular-nums}
`;

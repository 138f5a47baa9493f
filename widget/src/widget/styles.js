// The widget's styles, applied inside its shadow root as a constructed stylesheet:
// the host page's CSS cannot reach in, these rules cannot leak out, and no inline
// <style> is needed under a strict Content-Security-Policy.
export const CSS = `
:host { all: initial; }
* { box-sizing: border-box; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.launcher { position: fixed; right: 20px; bottom: 20px; width: 58px; height: 58px; border-radius: 50%;
  border: none; background: #1b5fd1; color: #fff; cursor: pointer; align-items: center; justify-content: center;
  box-shadow: 0 4px 14px rgba(0,0,0,.25); z-index: 2147483000; display: flex; padding: 0; }
.launcher:focus-visible, button:focus-visible, textarea:focus-visible { outline: 3px solid #ffb000; outline-offset: 2px; }
.badge { position: absolute; top: -4px; right: -4px; min-width: 22px; height: 22px; border-radius: 11px;
  background: #d93025; color: #fff; font-size: 13px; line-height: 22px; text-align: center; padding: 0 6px; }
.badge[hidden] { display: none; }
.panel { position: fixed; right: 20px; bottom: 92px; width: 370px; height: 560px; max-height: calc(100vh - 110px);
  background: #fff; color: #1d2330; border-radius: 14px; box-shadow: 0 10px 40px rgba(0,0,0,.28);
  display: flex; flex-direction: column; overflow: hidden; z-index: 2147483000; font-size: 15px; line-height: 1.4; }
.panel[hidden] { display: none; }
header { background: #1b5fd1; color: #fff; padding: 12px 14px; display: flex; align-items: center; justify-content: space-between; }
header h2 { margin: 0 8px; font-size: 16px; font-weight: 600; flex: 1; min-width: 0; overflow-wrap: anywhere; }
header button.history { display: flex; align-items: center; padding: 4px; border-radius: 6px; }
header button.history:hover { background: rgba(255,255,255,.15); }
header button { background: transparent; border: none; color: #fff; font-size: 22px; cursor: pointer; line-height: 1; }
.banner { background: #eef4ff; border-bottom: 1px solid #d3e0fa; padding: 8px 14px; font-size: 13px; }
.banner[hidden] { display: none; }
.log { flex: 1; min-height: 0; overflow-y: auto; padding: 12px 12px 16px; scroll-padding-bottom: 16px; display: flex; flex-direction: column; gap: 8px; background: #f6f7f9; }
.msg { max-width: 85%; padding: 8px 11px; border-radius: 12px; white-space: pre-wrap; overflow-wrap: anywhere; }
.msg.customer { align-self: flex-end; background: #1b5fd1; color: #fff; border-bottom-right-radius: 4px; }
.msg.bot, .msg.agent { align-self: flex-start; background: #fff; border: 1px solid #e1e4ea; border-bottom-left-radius: 4px; }
.msg.agent { border-color: #b9d3c4; background: #f1faf4; }
.msg.system { align-self: center; max-width: 92%; background: transparent; color: #4b5563; font-size: 13px; text-align: center; padding: 2px 8px; }
.msg.file a { color: inherit; display: flex; flex-direction: column; gap: 4px; text-decoration: underline; }
.msg.file img { max-width: 220px; max-height: 160px; border-radius: 6px; background: #fff; }
form button.attach { background: transparent; color: #4b5563; padding: 0 6px; border-radius: 8px; display: flex; align-items: center; }
form button.attach:hover { background: #eef1f5; }
.who { align-self: flex-start; display: flex; align-items: center; gap: 6px; font-size: 12px; color: #4b5563; margin: 4px 0 -4px 2px; }
.who .avatar { width: 22px; height: 22px; border-radius: 50%; display: inline-flex; align-items: center; justify-content: center;
  background: #1b5fd1; color: #fff; font-size: 12px; font-weight: 700; flex: none; }
.who.agent .avatar { background: #2f6b45; }
.who .name { font-weight: 600; color: #1d2330; }
.who.agent .name { color: #24573a; }
.who time { color: #5b6472; }
.msg.welcome { align-self: flex-start; background: #fff; border: 1px solid #e1e4ea; border-bottom-left-radius: 4px; white-space: normal; }
.msg.welcome p { margin: 0; }
.msg.welcome .hours { margin-top: 6px; padding-top: 6px; border-top: 1px solid #eceef2; font-size: 13px; color: #3b4250; }
.number { white-space: nowrap; }
.rating { align-self: stretch; background: #fff; border: 1px solid #e1e4ea; border-radius: 10px; padding: 10px 12px; display: flex; flex-direction: column; gap: 8px; }
.rating strong { font-size: 14px; }
.rating p { margin: 0; }
.stars { display: flex; gap: 4px; }
.stars button { background: none; border: none; font-size: 28px; line-height: 1; color: #c7ccd4; cursor: pointer; padding: 0 2px; }
.stars button.on { color: #f5a700; }
.rating textarea { height: auto; font-size: 14px; }
.rating .send-rating { align-self: flex-start; border: none; background: #1b5fd1; color: #fff; border-radius: 8px; padding: 7px 14px; font-size: 14px; cursor: pointer; }
.rating .send-rating[disabled] { opacity: .5; cursor: default; }
.msg.pending { opacity: .6; }
.msg.customer.failed { background: #fff; color: #1d2330; border: 1px dashed #b3261e; }
.unsent { align-self: flex-end; display: flex; align-items: center; gap: 8px; margin-top: -4px; font-size: 13px; color: #b3261e; }
.unsent button { border: 1px solid #b3261e; background: #fff; color: #b3261e; border-radius: 14px; padding: 3px 10px; font-size: 13px; cursor: pointer; }
.unsent button:hover { background: #fdecea; }
.card { align-self: flex-start; max-width: 85%; background: #fff; border: 1px solid #c9d6ef; border-left: 4px solid #1b5fd1;
  border-radius: 8px; padding: 8px 11px; }
.card strong { display: block; margin-bottom: 3px; }
.card p { margin: 0 0 4px; font-size: 14px; color: #3b4250; }
.card a { color: #1b5fd1; font-size: 14px; }
.choices { display: flex; flex-wrap: wrap; gap: 6px; align-self: flex-start; }
.choices button { border: 1px solid #1b5fd1; background: #fff; color: #1b5fd1; border-radius: 16px; padding: 5px 12px; cursor: pointer; font-size: 14px; }
.choices button:hover { background: #eef4ff; }
.choices.answered button, .choices button:disabled { border-color: #c4c9d2; color: #8a919c; background: #f4f5f7; cursor: default; }
.typing { font-size: 13px; color: #6b7280; padding: 0 14px 4px; background: #f6f7f9; }
.typing[hidden] { display: none; }
.offline { font-size: 13px; background: #fff4e5; color: #7a4b00; padding: 6px 14px; }
.offline[hidden] { display: none; }
form { display: flex; gap: 8px; padding: 10px; border-top: 1px solid #e1e4ea; background: #fff; }
textarea { flex: 1; resize: none; border: 1px solid #cfd4dc; border-radius: 8px; padding: 8px; font-size: 15px; height: 42px; color: #1d2330; background: #fff; }
form button { border: none; background: #1b5fd1; color: #fff; border-radius: 8px; padding: 0 14px; font-size: 15px; cursor: pointer; }
.panel.paned .banner, .panel.paned .log, .panel.paned .typing, .panel.paned form { display: none; }
.pane { flex: 1; min-height: 0; overflow-y: auto; padding: 10px 14px 16px; background: #fff; display: flex; flex-direction: column; gap: 10px; }
.pane[hidden] { display: none; }
.pane-bar { display: flex; }
.pane button.back { background: none; border: none; color: #1b5fd1; font-size: 14px; cursor: pointer; padding: 4px 0; text-decoration: underline; }
.pane-title { margin: 0; font-size: 17px; line-height: 1.3; overflow-wrap: anywhere; }
.pane-title:focus { outline: none; }
.pane-status { margin: 0; font-size: 14px; color: #4b5563; }
.pane-status:empty { display: none; }
.pane button.primary { align-self: flex-start; border: none; background: #1b5fd1; color: #fff; border-radius: 8px; padding: 8px 14px; font-size: 15px; cursor: pointer; }
.pane button.more { align-self: center; border: 1px solid #1b5fd1; background: #fff; color: #1b5fd1; border-radius: 16px; padding: 5px 14px; cursor: pointer; font-size: 14px; }
.pane button.more[hidden] { display: none; }
ul.conversations { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 8px; }
button.conversation { width: 100%; text-align: left; display: flex; flex-direction: column; gap: 3px; background: #f6f7f9; color: #1d2330;
  border: 1px solid #e1e4ea; border-radius: 10px; padding: 9px 12px; cursor: pointer; font-size: 15px; }
button.conversation:hover { background: #eef4ff; border-color: #c9d6ef; }
button.conversation[aria-current] { border-left: 4px solid #1b5fd1; }
button.conversation .title { font-weight: 600; overflow-wrap: anywhere; }
button.conversation .meta { display: flex; flex-wrap: wrap; gap: 2px 10px; font-size: 13px; color: #4b5563; }
button.conversation .status.open { color: #7a4b00; }
button.conversation .status.closed { color: #2f6b45; }
button.conversation .tag { align-self: flex-start; font-size: 12px; color: #1b5fd1; font-weight: 600; }
.pane article { display: flex; flex-direction: column; gap: 8px; }
.article { font-size: 15px; line-height: 1.5; overflow-wrap: break-word; }
.article > :first-child { margin-top: 0; }
.article p, .article ul, .article ol, .article blockquote, .article pre { margin: 0 0 10px; }
.article ul, .article ol { padding-left: 22px; }
.article li > ul, .article li > ol { margin: 4px 0 0; }
.article h4, .article h5, .article h6 { margin: 14px 0 6px; font-size: 15px; }
.article code { background: #f1f3f6; border-radius: 4px; padding: 1px 4px; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 13px; }
.article pre { background: #f1f3f6; border-radius: 6px; padding: 8px; overflow-x: auto; white-space: pre-wrap; }
.article blockquote { border-left: 3px solid #c9d6ef; padding-left: 10px; color: #3b4250; }
.article a, .pane .full a { color: #1b5fd1; }
.article .table { overflow-x: auto; margin: 0 0 10px; }
.article table { border-collapse: collapse; font-size: 14px; }
.article th, .article td { border: 1px solid #dfe3ea; padding: 5px 8px; text-align: left; vertical-align: top; overflow-wrap: normal; }
.article th { background: #f6f7f9; }
.pane .full { margin: 4px 0 0; padding-top: 10px; border-top: 1px solid #eceef2; font-size: 14px; }
.pane .full:empty { display: none; }
.card button.read { background: none; border: none; padding: 0; color: #1b5fd1; font-size: 14px; cursor: pointer; text-decoration: underline; }
@media (max-width: 520px) {
  .panel { right: 0; bottom: 0; width: 100vw; height: 100vh; height: 100dvh; max-height: none; border-radius: 0; }
}
`;

//! The REPL through a real pseudo-terminal: a session, an error in the middle, completion, Ctrl-C.

use rexpect::session::{PtySession, spawn_command};
use std::process::Command;

/// rexpect reads the terminal one char per byte: compare UTF-8 in that form.
fn raw(s: &str) -> String {
    s.bytes().map(char::from).collect()
}

fn repl() -> PtySession {
    let dir = std::env::temp_dir().join(format!("taylornet-repl-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_taylornet"));
    cmd.env("NO_COLOR", "1").env(
        "TAYLORNET_HISTORY",
        dir.join(format!("history-{:?}", std::thread::current().id())),
    );
    let mut p = spawn_command(cmd, Some(30_000)).expect("spawn the REPL in a pty");
    p.exp_string(&raw("» ")).unwrap();
    p
}

/// Types a line, waits for the next prompt (the editor drops typeahead), returns what was printed.
fn enter(p: &mut PtySession, line: &str) -> String {
    p.send_line(line).unwrap();
    p.exp_string(&raw("» ")).unwrap()
}

fn shows(out: &str, want: &str) {
    assert!(out.contains(&raw(want)), "expected {want:?} in {out:?}");
}

#[test]
fn a_session_with_an_error_in_the_middle() {
    let mut p = repl();
    shows(&enter(&mut p, "W1 : 2×4"), "W₁ : 2×4");
    enter(&mut p, "W2 : 2×2");
    shows(&enter(&mut p, ":order 5"), "order set to 5");
    shows(&enter(&mut p, "z1 = W1·x + b1"), "z₁ = W₁·x + b₁");
    let out = enter(&mut p, "tanh(W2·tanh(z1) + b2)");
    shows(&out, "affine up to O(ε³)");
    shows(&out, "W = W₂·W₁");
    let out = enter(&mut p, "tanh(W2··W1·x)");
    shows(&out, "expected an expression");
    shows(&out, "the session is unchanged");
    // The binding survived the error.
    shows(&enter(&mut p, "tanh(W2·z1)"), "W = W₂·W₁");
    shows(&enter(&mut p, ":latex"), "\\begin{align*}");
    shows(&enter(&mut p, ":verify"), "PASS");
    shows(&enter(&mut p, ":classify"), "selu");
    shows(&enter(&mut p, ":ordr 3"), "did you mean `:order`?");
    p.send_line(":quit").unwrap();
    p.exp_eof().unwrap();
}

/// Waits until `want` is printed (the prompt may be redrawn while a line is edited).
fn wait_for(p: &mut PtySession, want: &str) {
    p.exp_string(&raw(want)).unwrap();
    // Let the editor come back to its prompt before the next keys.
    std::thread::sleep(std::time::Duration::from_millis(300));
}

fn type_keys(p: &mut PtySession, keys: &str) {
    p.send(keys).unwrap();
    p.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(200));
}

#[test]
fn multi_line_entries_continue_inside_brackets() {
    let mut p = repl();
    type_keys(&mut p, "tanh(W1·x +\r");
    type_keys(&mut p, "  b1)\r");
    wait_for(&mut p, "affine up to O(ε³)");
    type_keys(&mut p, "tanh(W1·x\r");
    type_keys(&mut p, "\r");
    wait_for(&mut p, "never closed");
    p.send_line(":quit").unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn tab_completes_activations_and_commands() {
    let mut p = repl();
    type_keys(&mut p, "leaky_r");
    type_keys(&mut p, "\t");
    type_keys(&mut p, "(W1·x)\r");
    wait_for(&mut p, "leaky_relu(W1·x)");
    wait_for(&mut p, "kink");
    type_keys(&mut p, ":clas");
    type_keys(&mut p, "\t");
    type_keys(&mut p, "\r");
    wait_for(&mut p, "the lecture notes, checked");
    p.send_line(":quit").unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn ctrl_c_cancels_a_long_computation_and_keeps_the_session() {
    let mut p = repl();
    enter(&mut p, "z = W1·x");
    shows(&enter(&mut p, ":order 12"), "order set to 12");
    // Exact series of composed gelus at a high order take longer than the second after
    // which the REPL says it is computing (a network is decided from its lowest orders).
    p.send_line(":series gelu(gelu(gelu(gelu(gelu(t))))) order 200")
        .unwrap();
    p.exp_string(&raw("computing")).unwrap();
    p.send_control('c').unwrap();
    let out = p.exp_string(&raw("» ")).unwrap();
    shows(&out, "cancelled");
    enter(&mut p, ":order 3");
    shows(&enter(&mut p, "tanh(z)"), "W = W₁");
    p.send_control('d').unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn a_failing_entry_changes_nothing() {
    let mut p = repl();
    let out = enter(&mut p, "W1 : 2x4; x : 3; W1·x");
    shows(&out, "the session is unchanged");
    // Neither declaration was kept, so W₁·x now has free dimensions and is fine.
    shows(&enter(&mut p, "W1·x"), "W = W₁");
    enter(&mut p, "z1 = W1·x");
    shows(
        &enter(&mut p, "z3 = z1; :order 7; tanhh(z3)"),
        "did you mean `tanh`?",
    );
    let env = enter(&mut p, ":env");
    shows(&env, "order 3");
    assert!(!env.contains(&raw("z₃")), "{env:?}");
    p.send_line(":quit").unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn a_history_file_with_a_bad_byte_keeps_the_other_entries() {
    let dir = std::env::temp_dir().join(format!("taylornet-repl-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let hist = dir.join("damaged-history");
    std::fs::write(
        &hist,
        b"#V2\nW1 : 2x4\nbad \xff byte\ntanh(W1\\xb7x)\nsigmoid(x)\n",
    )
    .unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_taylornet"));
    cmd.env("NO_COLOR", "1").env("TAYLORNET_HISTORY", &hist);
    let mut p = spawn_command(cmd, Some(30_000)).expect("spawn the REPL in a pty");
    p.exp_string(&raw("» ")).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    // Up arrow: the newest entry, written after the bad line, is still there.
    type_keys(&mut p, "\x1b[A");
    type_keys(&mut p, "\r");
    wait_for(&mut p, "verdict");
    p.send_line(":quit").unwrap();
    p.exp_eof().unwrap();
    let _ = std::fs::remove_file(&hist);
}

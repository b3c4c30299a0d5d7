//! The CI gate: the offline eval over the demo store's cases meets
//! `evals/thresholds.toml`, a threshold above the measured value fails it,
//! and a recorded run replays to the same report, byte for byte. The
//! enforcement cases (`evals/cases/enforcement`) run on the scripted mock
//! model and meet `evals/thresholds-enforcement.toml`.

use std::sync::Arc;

use chatgw::eval::record::{RecordingModel, ReplayModel};
use chatgw::eval::{EvalRun, Evaluation, MockModel, Pricing, Quiet, Target, Thresholds, cases_dir, evaluate, thresholds_path};
use chatgw::llm::ChatModel;
use chatgw::llm::offline::OfflineModel;

fn demo_run(provider: &str) -> EvalRun {
    EvalRun { target: Target::Demo, cases: cases_dir("demo"), provider: provider.into(), pricing: Pricing::default(), embedding: None }
}

async fn offline_run(model: Arc<dyn ChatModel>, provider: &str) -> Evaluation {
    evaluate(&demo_run(provider), model, None, &Quiet).await.expect("the eval runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_eval_meets_the_thresholds_and_a_raised_one_fails() {
    let evaluation = offline_run(Arc::new(OfflineModel), "offline").await;
    let report = &evaluation.report;
    assert!(report.metrics.cases_passed.total >= 100, "the shipped case set has at least 100 conversations");
    let thresholds = Thresholds::load(&thresholds_path()).expect("thresholds.toml loads");
    let breaches = thresholds.breaches(report);
    assert!(breaches.is_empty(), "the offline eval broke its thresholds:\n{}\n{}", breaches.join("\n"), report.to_markdown());

    // Raise one threshold just above what was measured: the gate must fail
    // and name the metric, its value and the threshold.
    let measured = report.gated()["reply_language_accuracy"].expect("language accuracy is measured");
    let raised = format!("[min]\nreply_language_accuracy = {}\n", measured + 0.01);
    let strict = Thresholds::parse(&raised, "raised.toml").expect("raised thresholds parse");
    let breaches = strict.breaches(report);
    assert_eq!(breaches.len(), 1, "{breaches:?}");
    assert!(breaches[0].starts_with("reply_language_accuracy is ") && breaches[0].contains("below its threshold"), "{}", breaches[0]);
}

#[test]
fn a_threshold_for_an_unknown_metric_is_an_error_naming_it() {
    let err = Thresholds::parse("[min]\nreply_langauge_accuracy = 0.5\n", "typo.toml").expect_err("a typo is refused");
    let message = err.to_string();
    assert!(message.contains("reply_langauge_accuracy") && message.contains("reply_language_accuracy"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recorded_run_replays_to_the_same_report_byte_for_byte() {
    let dir = tempfile::tempdir().expect("temp dir");
    let recorded = offline_run(Arc::new(RecordingModel::new(Arc::new(OfflineModel), dir.path()).expect("recorder")), "recorded").await;
    assert!(std::fs::read_dir(dir.path()).expect("recordings").count() > 0, "answers were recorded");

    let mut reports = Vec::new();
    for _ in 0..2 {
        let replay = Arc::new(ReplayModel::open(dir.path()).expect("recordings open"));
        let evaluation = offline_run(replay.clone(), "replayed").await;
        assert!(replay.missing().is_empty(), "every request had a recording: {:?}", replay.missing());
        reports.push(evaluation.report);
    }
    let texts: Vec<(String, String)> = reports.iter().map(|r| (r.to_json(), r.to_markdown())).collect();
    assert_eq!(texts[0].0, texts[1].0, "JSON reports of two replays differ");
    assert_eq!(texts[0].1, texts[1].1, "markdown reports of two replays differ");
    // The replays measured the same answers as the recorded run.
    assert_eq!(recorded.report.metrics, reports[0].metrics, "replay saw different answers than the recording");
    assert_eq!(recorded.report.failures, reports[0].failures);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_without_a_recording_fails_naming_the_request() {
    let dir = tempfile::tempdir().expect("temp dir");
    let replay = Arc::new(ReplayModel::open(dir.path()).expect("empty folder opens"));
    let evaluation = offline_run(replay.clone(), "replayed").await;
    assert!(!replay.missing().is_empty(), "requests without recordings are listed");
    let failure = evaluation.report.failures.iter().find(|f| f.check == "no_error").expect("a turn failed for lack of a recording");
    assert!(failure.got.contains("model_unavailable"), "{failure:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_misbehaving_model_is_held_to_the_rules_and_meets_the_enforcement_thresholds() {
    let (model, script) = MockModel::new();
    let run = EvalRun { cases: cases_dir("enforcement"), ..demo_run("mock") };
    let evaluation = evaluate(&run, Arc::new(model), Some(script), &Quiet).await.expect("the enforcement eval runs");
    let report = &evaluation.report;
    let path = chatgw_evals::evals_path("thresholds-enforcement.toml");
    let breaches = Thresholds::load(&path).expect("thresholds-enforcement.toml loads").breaches(report);
    assert!(breaches.is_empty(), "the enforcement eval broke its thresholds:\n{}\n{}", breaches.join("\n"), report.to_markdown());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_that_scripts_the_model_is_refused_without_the_mock_provider() {
    let run = EvalRun { cases: cases_dir("enforcement"), ..demo_run("offline") };
    let error = evaluate(&run, Arc::new(OfflineModel), None, &Quiet).await.err().expect("scripted cases need the mock provider");
    assert!(error.to_string().contains("--provider mock"), "{error}");
}

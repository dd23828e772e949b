using Midrc.Workflows.Model;

namespace Midrc.Workflows.Tests;

public sealed class ValidatorTests
{
    private const string Header = """
        id: demo
        version: 1
        title: Demo
        subject: submission
        initial: a

        """;

    private static IReadOnlyList<string> Problems(string body, params (string Path, string Text)[] more)
    {
        using var folder = WorkflowFolder.WithFiles([("demo.yaml", Header + body), .. more]);
        return folder.Validate().Select(p => $"{p.Location.Line}:{p.Location.Column}: {p.Message}").ToList();
    }

    [Fact]
    public void Validate_ReportsUnknownStatesUnreachableStatesAndStatesWithNoWayOut()
    {
        var problems = Problems("""
            states:
              - id: a
              - id: b
              - id: c
                final: true
              - id: lost
                final: true
            transitions:
              - { trigger: go, from: a, to: b, allowed: system, label: Go, journal: Went }
              - { trigger: jump, from: nowhere, to: c, allowed: system, label: Jump, journal: Jumped }
            """);

        problems.ShouldBe(
        [
            "8:9: State 'b' is not final but no transition leaves it; add a transition or mark it 'final: true'.",
            "9:9: State 'c' cannot be reached from the initial state 'a'.",
            "11:9: State 'lost' cannot be reached from the initial state 'a'.",
            "15:28: Unknown state 'nowhere' in 'from' of transition 'jump'.",
        ]);
    }

    [Fact]
    public void Validate_ReportsUnknownGuardJobTemplateRoleChildAndTrigger()
    {
        var problems = Problems("""
            states:
              - id: a
                on-enter:
                  - enqueue: make-coffee
                  - start: not-a-workflow
                  - email: { template: no-such-template, to: everyone }
                timers:
                  - { after: P2D, fire: no-such-trigger }
              - id: b
                final: true
            transitions:
              - { trigger: go, from: a, to: b, guard: moon-is-full, allowed: [system, janitor], label: Go, journal: Went }
            schedules:
              - { cron: "0 14 * * TUE#3", time-zone: Mars/Olympus, fire: go }
              - { cron: "61 * * * *", fire: go }
            """);

        problems.ShouldBe(
        [
            "9:18: Unknown job 'make-coffee'; known jobs: run-qa-checks, verify-deidentification, freeze-release, verify-release, publish-release, send-digest, report-batch-to-request.",
            "10:16: Unknown child workflow 'not-a-workflow'; no definition in this folder has that id.",
            "11:28: Unknown email template 'no-such-template'; add the folder templates/no-such-template/ with subject.liquid, body.html.liquid, body.txt.liquid.",
            "11:50: Unknown role 'everyone'; expected one of: program-manager, site-coordinator, system.",
            "13:29: Timer fires unknown trigger 'no-such-trigger'; no transition handles it.",
            "17:43: Unknown guard 'moon-is-full'; known guards: test-transfer-passed, test-transfer-failed, coordinator-registered, all-errors-resolved, errors-remain, deid-passed, deid-failed, request-fulfilled, more-data-needed, release-verified, release-verification-failed.",
            "17:75: Unknown role 'janitor'; expected one of: program-manager, site-coordinator, system.",
            "19:42: Unknown time zone 'Mars/Olympus'; use an IANA name such as America/Chicago.",
            "20:13: '61 * * * *' is not a valid cron expression; use five fields: minute hour day-of-month month day-of-week, e.g. '0 14 * * TUE#3'.",
        ]);
    }

    [Fact]
    public void Validate_ReportsDuplicatesAndBadInitialStates()
    {
        var problems = Problems("""
            states:
              - id: b
                initial: b1
                states:
                  - id: b2
              - id: b
                final: true
            transitions:
              - { trigger: go, from: b2, to: b, allowed: system, label: Go, journal: Went }
              - { trigger: go, from: b2, to: b, allowed: system, label: Go, journal: Went }
            """,
            ("copy.yaml", Header + "states:\n  - id: a\n    final: true\ntransitions: []\n"));

        problems.ShouldContain("5:10: Initial state 'a' is not a top-level state of this definition.");
        problems.ShouldContain("8:14: Initial state 'b1' is not a sub-state of 'b'.");
        problems.ShouldContain("11:9: State 'b' is defined more than once.");
        problems.ShouldContain("15:26: Trigger 'go' from state 'b2' is defined more than once; give each alternative a different guard.");
        problems.ShouldContain("1:5: Definition 'demo' version 1 is defined more than once.");
    }

    [Fact]
    public void Validate_RejectsBusinessDaysCountedInMonthsAndTimersOnUnknownDeadlines()
    {
        var problems = Problems("""
            states:
              - id: a
                on-enter:
                  - deadline: { set: due, after: P1M, business-days: true }
                timers:
                  - { deadline: overdue, before: P1D, fire: go }
              - id: b
                final: true
            transitions:
              - { trigger: go, from: a, to: b, allowed: system, label: Go, journal: Went }
            """);

        problems.ShouldBe(
        [
            "9:38: 'P1M' has months or years, which cannot be counted in business days; use days or weeks.",
            "11:21: Timer refers to deadline 'overdue', which no action sets.",
        ]);
    }

    [Fact]
    public void Validate_AcceptsAChildWorkflowDefinedInTheSameFolder()
    {
        var problems = Problems("""
            states:
              - id: a
                on-enter:
                  - start: child
              - id: b
                final: true
            transitions:
              - { trigger: go, from: a, to: b, allowed: system, label: Go, journal: Went }
            """,
            ("child.yaml", Header.Replace("id: demo", "id: child", StringComparison.Ordinal) + "states:\n  - id: a\n    final: true\ntransitions: []\n"));

        problems.ShouldBeEmpty();
    }

    [Fact]
    public void WorkflowProblem_PrintsLikeACompiler()
    {
        new WorkflowProblem(new SourceLocation("workflows/release.yaml", 12, 7), "Unknown state 'x'.").ToString()
            .ShouldBe("workflows/release.yaml:12:7: Unknown state 'x'.");
    }
}

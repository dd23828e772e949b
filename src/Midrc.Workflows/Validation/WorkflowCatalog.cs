using System.Globalization;
using Midrc.Workflows.Model;

namespace Midrc.Workflows.Validation;

/// <summary>The instance data guards read: values the host keeps up to date (counts, results).</summary>
public sealed class WorkflowData(IReadOnlyDictionary<string, string>? values = null)
{
    /// <summary>No data at all.</summary>
    public static WorkflowData Empty { get; } = new();

    /// <summary>The raw values.</summary>
    public IReadOnlyDictionary<string, string> Values { get; } = values ?? new Dictionary<string, string>();

    /// <summary>A text value, or null.</summary>
    public string? Text(string key) => Values.TryGetValue(key, out var value) ? value : null;

    /// <summary>A whole-number value, or null when missing or not a number.</summary>
    public long? Number(string key) => long.TryParse(Text(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
}

/// <summary>A named condition a transition may require, with the sentence shown while it does not hold.</summary>
public sealed record WorkflowGuard(string Name, string WaitingReason, Func<WorkflowData, bool> IsSatisfied);

/// <summary>What definitions may name: background jobs the host implements, guards, and roles.</summary>
public sealed class WorkflowCatalog
{
    /// <summary>Job names with what each does; the host must register a handler for each.</summary>
    public required IReadOnlyDictionary<string, string> Jobs { get; init; }

    /// <summary>Guards by name.</summary>
    public required IReadOnlyDictionary<string, WorkflowGuard> Guards { get; init; }

    /// <summary>Roles a transition may allow or an email may go to.</summary>
    public IReadOnlyList<string> Roles { get; init; } = WorkflowRoles.All;

    /// <summary>The jobs and guards of this program. Guards read these data keys: <c>open-errors</c>, <c>deid-result</c>,
    /// <c>test-transfer-result</c>, <c>coordinators</c>, <c>exams-requested</c>, <c>exams-accepted</c>, <c>release-verification</c>
    /// (results are <c>passed</c> or <c>failed</c>).</summary>
    public static WorkflowCatalog Default { get; } = new()
    {
        Jobs = new Dictionary<string, string>
        {
            ["run-qa-checks"] = "Run DICOM and clinical QA checks on a submission (or the onboarding test transfer) and record findings.",
            ["verify-deidentification"] = "Verify de-identification of a submission's files against the Basic Profile and the program's options.",
            ["freeze-release"] = "Collect the frozen release's exams and stage its package: objects, Gen3 metadata, changes and notes.",
            ["verify-release"] = "Verify the staged release: re-read every object, check its SHA-256 and de-identification again, write the manifests.",
            ["publish-release"] = "Publish the approved release: rename its package into place and tell sites and program managers.",
            ["send-digest"] = "Send the daily digest to people who asked for one.",
            ["report-batch-to-request"] = "Tell the data request a submission answers that the batch has its verdict, with the exams accepted for the request so far.",
        },
        Guards = new[]
        {
            Result("test-transfer-passed", "test-transfer-result", "passed", "Waiting for the test transfer to pass QA and de-identification checks"),
            Result("test-transfer-failed", "test-transfer-result", "failed", "The test transfer has not failed its checks"),
            new WorkflowGuard("coordinator-registered", "Waiting for at least one site coordinator to register", data => data.Number("coordinators") > 0),
            new WorkflowGuard("all-errors-resolved", "Waiting for all error findings to be fixed or waived", data => data.Number("open-errors") == 0),
            new WorkflowGuard("errors-remain", "There are no open error findings", data => data.Number("open-errors") > 0),
            Result("deid-passed", "deid-result", "passed", "Waiting for de-identification verification to pass"),
            Result("deid-failed", "deid-result", "failed", "De-identification verification has not failed"),
            new WorkflowGuard("request-fulfilled", "Waiting for the requested number of exams to be accepted", data => data.Number("exams-accepted") >= data.Number("exams-requested")),
            new WorkflowGuard("more-data-needed", "The requested number of exams has already been accepted", data => data.Number("exams-accepted") < data.Number("exams-requested")),
            Result("release-verified", "release-verification", "passed", "Waiting for release verification to pass"),
            Result("release-verification-failed", "release-verification", "failed", "Release verification has not failed"),
        }.ToDictionary(guard => guard.Name),
    };

    private static WorkflowGuard Result(string name, string key, string expected, string waitingReason) =>
        new(name, waitingReason, data => data.Text(key) == expected);
}

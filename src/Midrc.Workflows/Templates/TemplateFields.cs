namespace Midrc.Workflows.Templates;

/// <summary>
/// The model every email template is rendered with. Templates may use only these fields (validation rejects
/// any other), and the host must supply them when it renders. A field ending in <c>[]</c> is a list whose
/// items have the fields listed after it, used as <c>{% for finding in findings %}{{ finding.message }}{% endfor %}</c>.
/// </summary>
public static class TemplateFields
{
    /// <summary>Every field with what it holds.</summary>
    public static IReadOnlyDictionary<string, string> All { get; } = new Dictionary<string, string>
    {
        ["program.name"] = "Name of the data collection program, e.g. \"MIDRC\".",
        ["person.name"] = "The recipient's name.",
        ["site.name"] = "The site's name, e.g. \"Riverside University Hospital\".",
        ["site.code"] = "The site's short code, e.g. \"RUH\".",
        ["workflow.title"] = "Title of the workflow, e.g. \"Site onboarding\".",
        ["workflow.state"] = "Title of the current state, e.g. \"Data use agreement signed\".",
        ["workflow.since"] = "When the current state was entered, in the recipient's time zone.",
        ["workflow.days_waiting"] = "Whole days since the current state was entered.",
        ["request.title"] = "Title of the data request.",
        ["request.modalities"] = "Modalities asked for, e.g. \"CR, DX, CT\".",
        ["request.criteria"] = "Inclusion criteria in plain words.",
        ["request.exam_count"] = "Number of exams asked for.",
        ["submission.id"] = "Reference of the submission (batch).",
        ["submission.received"] = "When the submission was received, in the recipient's time zone.",
        ["release.name"] = "Name of the release, e.g. \"2026-11\".",
        ["release.reason"] = "Why the release failed or is on hold.",
        ["deadline"] = "The deadline that applies, formatted in the recipient's time zone.",
        ["reason"] = "Free-text reason given by the person who acted.",
        ["counts.files"] = "Files in the submission.",
        ["counts.exams"] = "Exams in the submission or release.",
        ["counts.sites"] = "Sites contributing to the release.",
        ["counts.requested"] = "Exams requested.",
        ["counts.accepted"] = "Exams accepted so far.",
        ["counts.errors"] = "Open error findings (they block acceptance).",
        ["counts.warnings"] = "Open warning findings.",
        ["counts.quarantined"] = "Files held in quarantine.",
        ["findings[]"] = "Findings to show, at most a screenful (the link leads to the rest).",
        ["findings[].severity"] = "\"error\" or \"warning\".",
        ["findings[].message"] = "What is wrong.",
        ["findings[].where"] = "File, series or clinical row concerned.",
        ["findings[].hint"] = "How to fix it, written for a coordinator.",
        ["rules[]"] = "The open findings counted by rule, errors first (each rule once, whatever the number of files).",
        ["rules[].rule"] = "The rule id, e.g. \"qa.missing-attribute\".",
        ["rules[].severity"] = "\"error\" or \"warning\".",
        ["rules[].count"] = "How many open findings of the rule.",
        ["rules[].message"] = "One of the rule's findings, as an example of what is wrong.",
        ["rules[].hint"] = "How to fix it, written for a coordinator.",
        ["messages[]"] = "The emails a daily digest groups, oldest first.",
        ["messages[].subject"] = "Subject of the grouped email.",
        ["messages[].text"] = "Plain-text body of the grouped email.",
        ["messages[].at"] = "When the grouped email was written, in the recipient's time zone.",
        ["links.action"] = "Page where the recipient acts on this email (for a submission, its findings report).",
        ["links.site"] = "The site's page.",
        ["links.dashboard"] = "The program dashboard.",
        ["links.preferences"] = "The recipient's notification preferences.",
    };

    /// <summary>Properties Liquid offers on every list.</summary>
    public static IReadOnlySet<string> ListProperties { get; } = new HashSet<string> { "size", "first", "last" };

    /// <summary>True when <paramref name="path"/> (e.g. <c>site.name</c>, <c>findings[].hint</c>) is a known field or a prefix of one.</summary>
    public static bool IsKnown(string path) =>
        All.ContainsKey(path) || All.Keys.Any(field => field.StartsWith(path + ".", StringComparison.Ordinal) || field.StartsWith(path + "[]", StringComparison.Ordinal));
}

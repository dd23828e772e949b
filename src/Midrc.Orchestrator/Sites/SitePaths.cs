namespace Midrc.Orchestrator.Sites;

/// <summary>
/// The pages where people act, as paths: emails link to them (made absolute with <c>Midrc:PublicUrl</c>) and the
/// pages link to each other with them, so a link in an email and a link on a page always agree.
/// </summary>
public static class SitePaths
{
    /// <summary>A site's page: its timeline, workflow, requests, submissions and actions.</summary>
    public static string Site(string code) => $"/sites/{Uri.EscapeDataString(code)}";

    /// <summary>A data request on its site's page, where its permitted actions are buttons.</summary>
    public static string Request(string siteCode, Guid requestId) => $"{Site(siteCode)}#request-{requestId}";

    /// <summary>A submission's report, where its findings are fixed.</summary>
    public static string SubmissionReport(Guid submissionId) => $"/submissions/{submissionId}/report";

    /// <summary>A site's upload page.</summary>
    public static string Upload(string code) => $"{Site(code)}/upload";

    /// <summary>A site's API tokens.</summary>
    public static string Tokens(string code) => $"{Site(code)}/tokens";
}

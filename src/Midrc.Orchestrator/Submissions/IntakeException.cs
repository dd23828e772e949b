namespace Midrc.Orchestrator.Submissions;

/// <summary>
/// An upload the intake refuses, with the HTTP status it maps to and a message a site coordinator can act on.
/// Nothing already accepted changes when one is thrown.
/// </summary>
public sealed class IntakeException(int status, string title, string detail) : Exception(detail)
{
    public int Status { get; } = status;
    public string Title { get; } = title;

    public static IntakeException NotFound(string what) =>
        new(StatusCodes.Status404NotFound, "Not found", $"There is no {what} with that id for your site. Check the id, and that you use your own site's token.");

    public static IntakeException Conflict(string detail) => new(StatusCodes.Status409Conflict, "Not possible now", detail);

    public static IntakeException TooLarge(string detail) => new(StatusCodes.Status413PayloadTooLarge, "Too large", detail);

    public static IntakeException Invalid(string detail) => new(StatusCodes.Status400BadRequest, "Bad request", detail);

    /// <summary>The refusal as RFC 7807 problem details.</summary>
    public IResult ToProblem() => Results.Problem(Message, statusCode: Status, title: Title);
}

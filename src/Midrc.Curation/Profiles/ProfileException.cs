namespace Midrc.Curation.Profiles;

/// <summary>
/// A curation profile that cannot be used, with where and why: the message reads
/// <c>profile.yaml, line 12, column 5: what is wrong. What to do.</c>
/// </summary>
public sealed class ProfileException : Exception
{
    /// <summary>Creates the error for a place in a profile file.</summary>
    public ProfileException(string sourceName, long line, long column, string problem)
        : base($"{sourceName}, line {line}, column {column}: {problem}")
    {
        SourceName = sourceName;
        Line = line;
        Column = column;
        Problem = problem;
    }

    /// <summary>Creates the error without a place.</summary>
    public ProfileException(string message)
        : base(message)
    {
        SourceName = "";
        Problem = message;
    }

    /// <summary>Creates the error without a place, keeping its cause.</summary>
    public ProfileException(string message, Exception innerException)
        : base(message, innerException)
    {
        SourceName = "";
        Problem = message;
    }

    /// <summary>Creates the error with no details.</summary>
    public ProfileException()
        : this("The curation profile is invalid.")
    {
    }

    /// <summary>The profile's file name (or the name it was loaded under).</summary>
    public string SourceName { get; }

    /// <summary>The 1-based line of the problem, 0 when unknown.</summary>
    public long Line { get; }

    /// <summary>The 1-based column of the problem, 0 when unknown.</summary>
    public long Column { get; }

    /// <summary>What is wrong and what to do, without the place.</summary>
    public string Problem { get; }
}

using System.Text.RegularExpressions;

namespace Midrc.Curation.Deidentification;

/// <summary>One piece of identifying-looking text: what kind it is and a masked excerpt of it.</summary>
/// <param name="Kind">What it looks like, e.g. <c>a phone number</c>.</param>
/// <param name="Excerpt">The matched text, masked.</param>
public sealed record PhiMatch(string Kind, string Excerpt);

/// <summary>
/// Looks for identifying content in free text: e-mail addresses, phone and social security numbers,
/// street addresses, person names, record numbers and real-looking dates. Tuned to leave normal
/// de-identified descriptions alone ("CHEST PA", "AP PORTABLE", "CT CHEST W/O CONTRAST", "RSNA Anonymizer").
/// </summary>
public static partial class FreeTextScanner
{
    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture;
    private const RegexOptions IgnoreCase = Options | RegexOptions.IgnoreCase;
    private const int Timeout = 1000;
    private const string Months = "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\\.?";

    private static readonly (string Kind, Regex Pattern)[] Detectors =
    [
        ("an e-mail address", Email()),
        ("a social security number", Ssn()),
        ("a phone number", Phone()),
        ("a street address", StreetAddress()),
        ("a person's name", TitledName()),
        ("a person's name", DicomName()),
        ("a person's name", LabelledName()),
        ("a record number", LabelledRecordNumber()),
        ("a date", IsoDate()),
        ("a date", NumericDate()),
        ("a date", CompactDate()),
        ("a date", DayMonthNameDate()),
        ("a date", MonthNameDate()),
        ("a record number", LongDigitRun()),
    ];

    /// <summary>Everything in <paramref name="text"/> that looks identifying, one match per kind.</summary>
    public static IReadOnlyList<PhiMatch> Scan(string text)
    {
        List<PhiMatch>? found = null;
        List<(int Start, int End)>? covered = null;
        foreach (var (kind, pattern) in Detectors)
        {
            // Nearly all text is clean: IsMatch answers that without allocating, and only a hit is looked at closely.
            if (found?.Exists(f => f.Kind == kind) == true || !pattern.IsMatch(text))
            {
                continue;
            }
            for (var match = pattern.Match(text); match.Success; match = match.NextMatch())
            {
                var (start, end) = (match.Index, match.Index + match.Length);
                if (covered?.Exists(c => start < c.End && c.Start < end) != true)
                {
                    (found ??= []).Add(new PhiMatch(kind, PhiText.Mask(match.Value)));
                    (covered ??= []).Add((start, end));
                    break;
                }
            }
        }
        return found ?? [];
    }

    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}", Options, Timeout)]
    private static partial Regex Email();

    [GeneratedRegex(@"(?<!\d)\d{3}-\d{2}-\d{4}(?!\d)", Options, Timeout)]
    private static partial Regex Ssn();

    [GeneratedRegex(@"(?<![\d.])(\+?1[-. ]?)?\(?\d{3}\)?[-. ]\d{3}[-. ]\d{4}(?![\d.])|\+\d{1,3}[ .-]?\d{2,4}([ .-]?\d{2,4}){2,4}(?!\d)", Options, Timeout)]
    private static partial Regex Phone();

    // Suffixes are case-sensitive (Title or full upper case) so "2 PHASE CT" and "1 VIEW DR" stay modalities, not streets.
    [GeneratedRegex(@"\b\d{1,6}\s+([A-Za-z][A-Za-z'.-]*\s+){1,3}(Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Drive|Dr|Lane|Ln|Court|Ct|Place|Pl|Parkway|Pkwy|Highway|Hwy|Way|Terrace|Circle|STREET|AVENUE|ROAD|BOULEVARD|DRIVE|LANE|COURT|PLACE|PARKWAY|HIGHWAY|TERRACE|CIRCLE)\b\.?", Options, Timeout)]
    private static partial Regex StreetAddress();

    // Case-sensitive on purpose: "DR CHEST" (digital radiography) and "MR BRAIN" are not people.
    [GeneratedRegex(@"\b((Dr|Mr|Mrs|Ms|Prof)\.\s*[A-Z][A-Za-z'-]+|(Dr|Mrs|Ms|Prof|Doctor)\s+[A-Z][a-z][A-Za-z'-]*)", Options, Timeout)]
    private static partial Regex TitledName();

    [GeneratedRegex(@"\b[A-Za-z][A-Za-z'-]+\^[A-Za-z][A-Za-z'-]*", Options, Timeout)]
    private static partial Regex DicomName();

    [GeneratedRegex(@"\b(patient|pt|physician|doctor|radiologist|technologist|tech|dictated by|read by|signed by|referred by|referring|attending)\s*[:=]\s*[A-Za-z][A-Za-z'-]+", IgnoreCase, Timeout)]
    private static partial Regex LabelledName();

    [GeneratedRegex(@"\b(MRN|MR\s*#|MR\s*No|Med(ical)?\s*Rec(ord)?(\s*(No|Number|#))?|Patient\s*ID|PID|Acc(ession)?\s*(No|Number|#)|Acc\.?)\s*[:#.=]?\s*[A-Z]{0,3}\d{3,}", IgnoreCase, Timeout)]
    private static partial Regex LabelledRecordNumber();

    [GeneratedRegex(@"\b(19|20)\d{2}[-/.](0?[1-9]|1[0-2])[-/.](0?[1-9]|[12]\d|3[01])\b", Options, Timeout)]
    private static partial Regex IsoDate();

    // Dotted day-month-year needs a four-digit year: "12.1.10" is a software version, "15.03.2020" a date.
    [GeneratedRegex(@"(?<![\d.])(0?[1-9]|[12]\d|3[01])(?<sep>[-/])(0?[1-9]|[12]\d|3[01])\k<sep>((19|20)\d{2}|\d{2})(?![\d./-])|(?<![\d.])(0?[1-9]|[12]\d|3[01])\.(0?[1-9]|1[0-2])\.(19|20)\d{2}(?![\d.])", Options, Timeout)]
    private static partial Regex NumericDate();

    [GeneratedRegex(@"(?<![\d.])(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?![\d.])", Options, Timeout)]
    private static partial Regex CompactDate();

    [GeneratedRegex(@"\b\d{1,2}[ -]" + Months + @"[ ,-]*(19|20)\d{2}\b", IgnoreCase, Timeout)]
    private static partial Regex DayMonthNameDate();

    [GeneratedRegex(@"\b" + Months + @"\s+\d{1,2}(st|nd|rd|th)?,?\s+(19|20)\d{2}\b", IgnoreCase, Timeout)]
    private static partial Regex MonthNameDate();

    [GeneratedRegex(@"(?<![\d.])\d{7,}(?![\d.])", Options, Timeout)]
    private static partial Regex LongDigitRun();
}

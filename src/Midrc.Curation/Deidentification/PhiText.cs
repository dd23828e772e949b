using System.Text;

namespace Midrc.Curation.Deidentification;

/// <summary>Shows what leaked without repeating it: messages carry masked excerpts such as <c>J*** S****</c>.</summary>
public static class PhiText
{
    private const int MaxExcerpt = 40;

    /// <summary>
    /// Keeps the first character of each run of letters or digits and masks the rest; DICOM name
    /// separators (<c>^</c>) become spaces. Long values are cut with an ellipsis.
    /// </summary>
    public static string Mask(string value)
    {
        var text = value.Trim().Replace('^', ' ');
        var sb = new StringBuilder(Math.Min(text.Length, MaxExcerpt + 1));
        var previousWasWordChar = false;
        foreach (var c in text)
        {
            if (sb.Length == MaxExcerpt)
            {
                sb.Append('…');
                break;
            }
            var isWordChar = char.IsLetterOrDigit(c);
            sb.Append(isWordChar && previousWasWordChar ? '*' : c);
            previousWasWordChar = isWordChar;
        }
        return sb.ToString();
    }
}

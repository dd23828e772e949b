using Midrc.Curation.Profiles;

namespace Midrc.Curation.Deidentification;

/// <summary>What counts as a dummy value for a profile.</summary>
public static class DummyValues
{
    /// <summary>True when the value is empty, on the profile's dummy list or matches one of its dummy patterns.</summary>
    public static bool IsDummy(this CurationProfile profile, string value)
    {
        var v = value.Trim().Trim('^').Trim();
        return v.Length == 0 || profile.DummyValues.Contains(v) || profile.DummyPatterns.Any(p => p.IsMatch(v));
    }
}

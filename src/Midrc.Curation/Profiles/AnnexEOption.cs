namespace Midrc.Curation.Profiles;

/// <summary>
/// The PS3.15 Annex E options (table E.1-1 columns) that change what a verifier may accept.
/// In a profile file they are written in kebab case, e.g. <c>retain-patient-characteristics</c>.
/// </summary>
public enum AnnexEOption
{
    /// <summary>Retain Safe Private Option: private attributes on the safe list may stay.</summary>
    RetainSafePrivate,

    /// <summary>Retain UIDs Option: original UIDs may stay (the forbidden-root check is off).</summary>
    RetainUids,

    /// <summary>Retain Device Identity Option: station name, serial numbers, detector and gantry ids may stay.</summary>
    RetainDeviceIdentity,

    /// <summary>Retain Institution Identity Option: institution name, address and department may stay.</summary>
    RetainInstitutionIdentity,

    /// <summary>Retain Patient Characteristics Option: sex, age, size, weight and similar may stay.</summary>
    RetainPatientCharacteristics,

    /// <summary>Retain Longitudinal Temporal Information with Full Dates Option: dates and times stay as they are.</summary>
    RetainLongitudinalTemporalFullDates,

    /// <summary>Retain Longitudinal Temporal Information with Modified Dates Option: dates and times stay, shifted.</summary>
    RetainLongitudinalTemporalModifiedDates,

    /// <summary>Clean Descriptors Option: descriptions and comments may stay once cleaned of identifying text.</summary>
    CleanDescriptors,
}

/// <summary>The names options have in profile files.</summary>
public static class AnnexEOptionNames
{
    private static readonly Dictionary<string, AnnexEOption> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["retain-safe-private"] = AnnexEOption.RetainSafePrivate,
        ["retain-uids"] = AnnexEOption.RetainUids,
        ["retain-device-identity"] = AnnexEOption.RetainDeviceIdentity,
        ["retain-institution-identity"] = AnnexEOption.RetainInstitutionIdentity,
        ["retain-patient-characteristics"] = AnnexEOption.RetainPatientCharacteristics,
        ["retain-longitudinal-temporal-full-dates"] = AnnexEOption.RetainLongitudinalTemporalFullDates,
        ["retain-longitudinal-temporal-modified-dates"] = AnnexEOption.RetainLongitudinalTemporalModifiedDates,
        ["clean-descriptors"] = AnnexEOption.CleanDescriptors,
    };

    /// <summary>Every accepted name, for error messages.</summary>
    public static IReadOnlyCollection<string> All => ByName.Keys;

    /// <summary>Finds the option a profile name stands for.</summary>
    public static bool TryParse(string name, out AnnexEOption option) => ByName.TryGetValue(name, out option);
}

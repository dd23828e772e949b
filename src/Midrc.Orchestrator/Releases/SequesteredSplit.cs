using System.Security.Cryptography;
using System.Text;

namespace Midrc.Orchestrator.Releases;

/// <summary>A case as the split sees it: its site, pseudonym and stratum.</summary>
public sealed record SplitCase(Guid SiteId, string CaseId, string Stratum);

/// <summary>
/// The sequestered split: a reproducible, stratified share of cases held back from the open release. Within each
/// stratum (site, sex, age band, modality) cases are ranked by a seeded hash of their id, and strata take turns so
/// the running share stays as close to the fraction as whole cases allow. The same cases and seed give the same split.
/// </summary>
public static class SequesteredSplit
{
    /// <summary>The cases to hold back among <paramref name="cases"/>.</summary>
    public static IReadOnlySet<(Guid SiteId, string CaseId)> Choose(IEnumerable<SplitCase> cases, double fraction, string seed)
    {
        var chosen = new HashSet<(Guid, string)>();
        if (fraction <= 0)
        {
            return chosen;
        }

        var key = Encoding.UTF8.GetBytes(seed);
        var seen = 0;
        foreach (var stratum in cases.GroupBy(c => c.Stratum, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var ranked = stratum.OrderBy(c => Convert.ToHexString(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{c.SiteId:N}/{c.CaseId}"))), StringComparer.Ordinal)
                .ThenBy(c => c.CaseId, StringComparer.Ordinal).ToList();
            seen += ranked.Count;
            var target = (int)Math.Round(fraction * seen, MidpointRounding.AwayFromZero);
            foreach (var c in ranked.Take(Math.Max(0, target - chosen.Count)))
            {
                chosen.Add((c.SiteId, c.CaseId));
            }
        }

        return chosen;
    }

    /// <summary>The age band a case is counted in: 10-year bands, under 18, and the over-89 flag instead of an age.</summary>
    public static string AgeBand(int? age, bool over89) => (age, over89) switch
    {
        (_, true) => ">89",
        (null, _) => "unknown",
        ( < 18, _) => "<18",
        ( >= 90, _) => ">89",
        ({ } a, _) when a < 30 => "18-29",
        ({ } a, _) => $"{a / 10 * 10}-{a / 10 * 10 + 9}",
    };
}

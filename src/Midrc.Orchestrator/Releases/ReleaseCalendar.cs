using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Workflows;

namespace Midrc.Orchestrator.Releases;

/// <summary>
/// The "next release" each program always has: the current one (open, building or awaiting approval), or a new open
/// one numbered after the last. The unique (program, number) index makes two processes open the same one only once.
/// </summary>
public sealed class ReleaseCalendar(MidrcDbContext db, WorkflowRuntime runtime, TimeProvider clock)
{
    /// <summary>The program's current release, opened (with its workflow) when there is none.</summary>
    public async Task<Release> EnsureCurrentAsync(Guid programId, CancellationToken cancellationToken)
    {
        var current = await CurrentAsync(programId, cancellationToken);
        if (current is null)
        {
            var number = (await db.Releases.Where(r => r.ProgramId == programId).MaxAsync(r => (int?)r.Number, cancellationToken) ?? 0) + 1;
            try
            {
                db.Releases.Add(new Release { ProgramId = programId, Number = number, Title = $"Release {number}", State = ReleaseState.Open, CreatedAt = clock.GetUtcNow() });
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // Another process opened it a moment ago.
            }

            db.ChangeTracker.Clear();
            current = await CurrentAsync(programId, cancellationToken) ?? throw new InvalidOperationException("No current release after opening one.");
        }

        await runtime.StartAsync(new StartRequest("release", current.Id, null, Actor.System), cancellationToken);
        return current;
    }

    /// <summary>The unpublished release of the program, if any.</summary>
    public Task<Release?> CurrentAsync(Guid programId, CancellationToken cancellationToken) =>
        db.Releases.AsNoTracking().Where(r => r.ProgramId == programId && r.State != ReleaseState.Published).OrderBy(r => r.Number).FirstOrDefaultAsync(cancellationToken);

    /// <summary>The workflow instance of a release.</summary>
    public Task<Guid> InstanceOfAsync(Guid releaseId, CancellationToken cancellationToken) =>
        db.WorkflowInstances.Where(i => i.DefinitionId == "release" && i.SubjectId == releaseId).Select(i => i.Id).SingleAsync(cancellationToken);
}

/// <summary>
/// The schedule (<c>Midrc:Releases:Schedule</c> in <c>TimeZone</c>), run by Hangfire as a recurring job: freezes each
/// program's open release when it has exams to publish. The freeze is keyed by the occurrence, so a second process
/// running the same occurrence changes nothing.
/// </summary>
public sealed class ReleaseSchedule(MidrcDbContext db, ReleaseCalendar calendar, ReleaseBuilder builder, WorkflowRuntime runtime, TimeProvider clock, IOptions<ReleaseOptions> options)
{
    public const string RecurringId = "release-schedule";

    /// <summary>Freezes what is due; returns how many releases froze.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var occurrence = TimeZoneInfo.ConvertTime(clock.GetUtcNow(), TimeZoneInfo.FindSystemTimeZoneById(options.Value.TimeZone)).ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);
        var frozen = 0;
        foreach (var programId in await db.Programs.Select(p => p.Id).ToListAsync(cancellationToken))
        {
            var release = await calendar.EnsureCurrentAsync(programId, cancellationToken);
            if (release.State != ReleaseState.Open || !await builder.Candidates(programId, release.Id).AnyAsync(cancellationToken))
            {
                continue;
            }

            var instance = await calendar.InstanceOfAsync(release.Id, cancellationToken);
            var result = await runtime.FireAsync(new FireRequest(instance, "freeze", Actor.System, $"schedule:{release.Id:N}:{occurrence}"), cancellationToken);
            frozen += result.Outcome == FireOutcome.Fired ? 1 : 0;
        }

        return frozen;
    }
}

using Hangfire;
using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Audit;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Notifications;
using Midrc.Workflows.Model;
using Midrc.Workflows.Runtime;
using Midrc.Workflows.Validation;
using DefinitionTimer = Midrc.Workflows.Model.WorkflowTimer;

namespace Midrc.Orchestrator.Workflows;

/// <summary>
/// Runs workflow instances durably. Each start or transition is one database transaction holding the journal entry
/// (unique idempotency key), the new state (concurrency token), timers, deadlines, outbox emails, job intents and the
/// audit event; Hangfire is told about jobs and near timers only after commit, and the reconciler covers a crash in between.
/// </summary>
public sealed class WorkflowRuntime(
    MidrcDbContext db,
    WorkflowDefinitions definitions,
    IEmailComposer composer,
    Outbox outbox,
    IBackgroundJobClient jobs,
    IEnumerable<ISubjectStatus> statuses,
    AuditTrail audit,
    TimeProvider clock,
    ILogger<WorkflowRuntime> log)
{
    /// <summary>Timers due sooner than this get their own scheduled job instead of waiting for the minutely sweep.</summary>
    public static readonly TimeSpan NearTimer = TimeSpan.FromMinutes(1);

    /// <summary>The longest idempotency key a caller may give (the journal column holds 200 characters).</summary>
    public const int MaxKeyLength = 150;

    private readonly WorkflowEngine engine = new(WorkflowCatalog.Default, clock);
    private readonly List<WorkflowJobIntent> newIntents = [];
    private readonly List<DateTimeOffset> newTimers = [];

    /// <summary>Starts the newest version of a definition for a subject; returns the existing instance when there is one.</summary>
    public async Task<WorkflowInstance> StartAsync(StartRequest request, CancellationToken cancellationToken)
    {
        if (await FindInstanceAsync(request.DefinitionId, request.SubjectId, cancellationToken) is { } existing)
        {
            return existing;
        }

        Reset();
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var instance = await StartInTransactionAsync(request, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            await AfterCommitAsync(cancellationToken);
            return instance;
        }
        catch (DbUpdateException)
        {
            // Another process started it at the same moment; theirs is the one.
            db.ChangeTracker.Clear();
            var theirs = await FindInstanceAsync(request.DefinitionId, request.SubjectId, cancellationToken);
            if (theirs is null)
            {
                throw;
            }

            return theirs;
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>
    /// Fires a trigger once per idempotency key. Concurrent fires make one transition; the others get
    /// <see cref="FireOutcome.Conflict"/> (or <see cref="FireOutcome.Replayed"/> for the same key) and change nothing.
    /// </summary>
    public async Task<FireResult> FireAsync(FireRequest request, CancellationToken cancellationToken)
    {
        if (request.IdempotencyKey.Length is 0 or > MaxKeyLength)
        {
            throw new ArgumentException($"An idempotency key must have 1 to {MaxKeyLength} characters.", nameof(request));
        }

        if (await ReplayAsync(request, cancellationToken) is { } replay)
        {
            return replay;
        }

        Reset();
        try
        {
            FireResult result;
            await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
            {
                result = await FireInTransactionAsync(request, cancellationToken);
                // A timer is consumed even when its trigger is no longer possible; anything else that did not fire leaves no trace.
                if (!result.Changed && request.TimerId is null)
                {
                    await transaction.RollbackAsync(cancellationToken);
                    return result;
                }

                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }

            await AfterCommitAsync(cancellationToken);
            return result;
        }
        catch (DbUpdateException e)
        {
            db.ChangeTracker.Clear();
            return await ExplainLostRaceAsync(request, cancellationToken)
                ?? throw new InvalidOperationException($"Saving '{request.Trigger}' on workflow {request.InstanceId} failed: {e.GetBaseException().Message}", e);
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>
    /// Records data on an instance without a transition (a job reporting half of a result), retrying when another writer
    /// got there first; returns the data as saved.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>> RecordDataAsync(Guid instanceId, IReadOnlyDictionary<string, string> data, CancellationToken cancellationToken)
    {
        const int attempts = 10;
        for (var attempt = 1; ; attempt++)
        {
            Reset();
            var instance = await db.WorkflowInstances.SingleAsync(i => i.Id == instanceId, cancellationToken);
            try
            {
                if (instance.Merge(data))
                {
                    await db.SaveChangesAsync(cancellationToken);
                }

                return instance.Values();
            }
            catch (DbUpdateConcurrencyException) when (attempt < attempts)
            {
                log.LogDebug("Data of workflow {Instance} changed meanwhile; reading it again (attempt {Attempt})", instanceId, attempt);
            }
            finally
            {
                db.ChangeTracker.Clear();
            }
        }
    }

    /// <summary>Every trigger of the instance's current state, each with whether <paramref name="actor"/> may fire it now, and if not, why not.</summary>
    public IReadOnlyList<TriggerAvailability> Triggers(WorkflowInstance instance, Actor actor)
    {
        var definition = definitions.Get(instance.DefinitionId, instance.DefinitionVersion);
        var engineInstance = instance.ToEngine();
        return engine.Triggers(definition, engineInstance, actor.RolesFor(instance.SiteId)[0])
            .Select(t => Check(definition, engineInstance, instance.SiteId, t.Trigger, actor).Availability)
            .ToList();
    }

    private (TriggerAvailability Availability, WorkflowActor Role) Check(
        WorkflowDefinition definition, Midrc.Workflows.Runtime.WorkflowInstance instance, Guid? siteId, string trigger, Actor actor)
    {
        var checks = actor.RolesFor(siteId).Select(role => (Availability: engine.Check(definition, instance, trigger, role), Role: role)).ToList();

        // Permitted in some role; else the role whose answer explains most (the condition, not the role); else the first.
        var permitted = checks.FindIndex(c => c.Availability.Permitted);
        var closest = checks.FindIndex(c => c.Availability.AllowedRoles.Contains(c.Role.Role) && HasRoleFor(c.Role));
        return checks[permitted >= 0 ? permitted : Math.Max(closest, 0)];
    }

    private static bool HasRoleFor(WorkflowActor role) => role.Role != WorkflowRoles.SiteCoordinator || role.BelongsToSubjectSite;

    private async Task<FireResult> FireInTransactionAsync(FireRequest request, CancellationToken cancellationToken)
    {
        var instance = await db.WorkflowInstances.SingleOrDefaultAsync(i => i.Id == request.InstanceId, cancellationToken);
        if (instance is null)
        {
            return new FireResult(FireOutcome.NotFound, "", $"There is no workflow {request.InstanceId}.");
        }

        var definition = definitions.Get(instance.DefinitionId, instance.DefinitionVersion);
        var now = clock.GetUtcNow();
        if (request.TimerId is { } timerId && !await ClaimTimerAsync(instance, definition, timerId, now, cancellationToken))
        {
            return new FireResult(FireOutcome.Replayed, instance.State, "This timer has already fired.");
        }

        if (request.ExpectedState is { } expected && expected != instance.State)
        {
            return FireResult.Conflict(instance.State, await DescribeLastMoveAsync(instance, definition, cancellationToken));
        }

        instance.Merge(request.Data);
        var engineInstance = instance.ToEngine();
        var (availability, role) = Check(definition, engineInstance, instance.SiteId, request.Trigger, request.Actor);
        if (!availability.Permitted)
        {
            return await RefuseAsync(instance, definition, request, availability, role, cancellationToken);
        }

        var step = engine.Fire(definition, engineInstance, request.Trigger, role);
        var entry = Journal(instance, step, request.Actor.Name, request.IdempotencyKey, request.Reason, now);
        instance.State = step.ToState;
        instance.IsFinished = definition.FindState(step.ToState)?.Final == true;
        instance.UpdatedAt = now;
        await ApplyStepAsync(instance, definition, step, now, cancellationToken);

        // Saved before the actions run: a lost race is found here, before anything else is composed.
        await db.SaveChangesAsync(cancellationToken);
        await RunActionsAsync(instance, step, entry, request.Reason, request.Actor, cancellationToken);
        audit.Record(request.Actor.Name, "workflow.transition", nameof(WorkflowInstance), instance.Id.ToString(), instance.SiteId,
            new { definition = definition.Id, trigger = request.Trigger, from = step.FromState, to = step.ToState, key = request.IdempotencyKey });
        var title = definition.FindState(step.ToState)?.Title ?? step.ToState;
        return new FireResult(FireOutcome.Fired, step.ToState, $"{step.Journal}. The {definition.Subject} is now at '{title}'.", entry.Id);
    }

    private async Task<WorkflowInstance> StartInTransactionAsync(StartRequest request, CancellationToken cancellationToken)
    {
        var definition = definitions.Latest(request.DefinitionId)
            ?? throw new ArgumentException($"There is no workflow definition '{request.DefinitionId}'.", nameof(request));
        var now = clock.GetUtcNow();
        var timeZone = request.SiteId is { } siteId
            ? await db.Sites.Where(s => s.Id == siteId).Select(s => s.TimeZone).SingleOrDefaultAsync(cancellationToken) ?? "UTC"
            : "UTC";
        var instance = new WorkflowInstance
        {
            DefinitionId = definition.Id,
            DefinitionVersion = definition.Version,
            SubjectType = definition.Subject,
            SubjectId = request.SubjectId,
            SiteId = request.SiteId,
            State = definition.Initial,
            TimeZone = timeZone,
            CreatedAt = now,
            UpdatedAt = now,
        };
        instance.Merge(request.Data);
        var step = engine.Start(definition, new WorkflowData(instance.Values()), timeZone);
        instance.State = step.ToState;
        db.WorkflowInstances.Add(instance);
        var entry = Journal(instance, step, request.Actor.Name, $"start:{definition.Id}:{request.SubjectId}", null, now);
        await ApplyStepAsync(instance, definition, step, now, cancellationToken);
        foreach (var (schedule, index) in definition.Schedules.Select((s, i) => (s, i)))
        {
            ArmSchedule(instance, schedule, index, now);
        }

        await db.SaveChangesAsync(cancellationToken);
        await RunActionsAsync(instance, step, entry, null, request.Actor, cancellationToken);
        audit.Record(request.Actor.Name, "workflow.started", nameof(WorkflowInstance), instance.Id.ToString(), instance.SiteId,
            new { definition = definition.Id, version = definition.Version, subject = request.SubjectId });
        return instance;
    }

    private WorkflowJournalEntry Journal(WorkflowInstance instance, WorkflowStep step, string actor, string key, string? reason, DateTimeOffset now)
    {
        var entry = new WorkflowJournalEntry
        {
            InstanceId = instance.Id,
            At = now,
            Actor = actor,
            FromState = step.FromState,
            ToState = step.ToState,
            Trigger = step.Trigger ?? "start",
            Reason = reason ?? "",
            Summary = step.Journal ?? "",
            IdempotencyKey = key,
        };
        db.WorkflowJournal.Add(entry);
        return entry;
    }

    /// <summary>Timers, deadlines and the subject's own status after a step; the rows change in the caller's transaction.</summary>
    private async Task ApplyStepAsync(WorkflowInstance instance, WorkflowDefinition definition, WorkflowStep step, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var path = definition.SelfAndAncestors(step.ToState).Select(s => s.Id).ToList();
        foreach (var status in statuses.Where(s => s.SubjectType == instance.SubjectType))
        {
            await status.ApplyAsync(instance.SubjectId, path, now, cancellationToken);
        }

        if (step.TimersCancelled.Count > 0)
        {
            // Filtered by instance only: with a status condition SQLite's planner prefers the (Status, DueAt) index and
            // reads every pending timer of the program; an instance has a handful of timers.
            var timers = await db.WorkflowTimers.Where(t => t.InstanceId == instance.Id).ToListAsync(cancellationToken);
            foreach (var timer in timers.Where(t => t.Status == TimerStatus.Pending && step.TimersCancelled.Contains(t.Name)))
            {
                timer.Status = TimerStatus.Cancelled;
            }
        }

        foreach (var armed in step.TimersArmed)
        {
            Arm(instance, armed.Key, armed.Trigger, armed.DueAt, armed.RepeatsLeft);
        }

        if (step.DeadlinesSet.Count > 0 || step.DeadlinesCleared.Count > 0)
        {
            instance.SetDeadlines(step.DeadlinesSet, step.DeadlinesCleared);
        }
    }

    /// <summary>Emails into the outbox, job intents and child workflows, in the order the step lists them.</summary>
    private async Task RunActionsAsync(WorkflowInstance instance, WorkflowStep step, WorkflowJournalEntry entry, string? reason, Actor actor, CancellationToken cancellationToken)
    {
        for (var index = 0; index < step.Actions.Count; index++)
        {
            var key = $"wf:{entry.Id}:{index}";
            switch (step.Actions[index].Action)
            {
                case SendEmail email:
                    await WriteEmailsAsync(instance, email, key, reason, cancellationToken);
                    break;
                case EnqueueJob job:
                    var intent = new WorkflowJobIntent { InstanceId = instance.Id, Job = job.Job, IdempotencyKey = key, CreatedAt = clock.GetUtcNow() };
                    db.WorkflowJobIntents.Add(intent);
                    newIntents.Add(intent);
                    break;
                case StartWorkflow start when await FindInstanceAsync(start.Definition, instance.SubjectId, cancellationToken) is null:
                    await StartInTransactionAsync(new StartRequest(start.Definition, instance.SubjectId, instance.SiteId, actor), cancellationToken);
                    break;
            }
        }
    }

    private async Task WriteEmailsAsync(WorkflowInstance instance, SendEmail email, string key, string? reason, CancellationToken cancellationToken)
    {
        foreach (var person in await RecipientsAsync(email.To, instance.SiteId, cancellationToken))
        {
            var composed = await composer.ComposeAsync(email.Template, email.To, instance, new EmailRecipient(person, reason), cancellationToken);
            // Through the outbox, so a person's daily-digest preference is honoured and the sender runs at once after commit.
            outbox.Enqueue(person, $"{key}:{person.Id}", email.Template, composed, instance.SiteId);
        }
    }

    /// <summary>People holding a definition role for the instance: the site's coordinators, or the program managers.</summary>
    private async Task<List<Person>> RecipientsAsync(string role, Guid? siteId, CancellationToken cancellationToken)
    {
        var people = db.People.Where(p => p.IsActive);
        people = role switch
        {
            WorkflowRoles.SiteCoordinator => people.Where(p => p.Roles.Any(r => r.Role == Role.SiteCoordinator && r.SiteId == siteId)),
            WorkflowRoles.ProgramManager => people.Where(p => p.Roles.Any(r => r.Role == Role.ProgramManager)),
            _ => people.Where(_ => false),
        };
        return await people.OrderBy(p => p.Email).ToListAsync(cancellationToken);
    }

    private void Arm(WorkflowInstance instance, string name, string trigger, DateTimeOffset dueAt, int repeatsLeft)
    {
        db.WorkflowTimers.Add(new WorkflowTimer { InstanceId = instance.Id, Name = name, Trigger = trigger, DueAt = dueAt.ToUniversalTime(), RepeatsLeft = repeatsLeft, Status = TimerStatus.Pending });
        newTimers.Add(dueAt);
    }

    private void ArmSchedule(WorkflowInstance instance, WorkflowSchedule schedule, int index, DateTimeOffset after)
    {
        if (WorkflowEngine.NextOccurrence(schedule, instance.TimeZone, after) is { } next)
        {
            Arm(instance, ScheduleName(index, schedule), schedule.Fire, next, 0);
        }
    }

    private static string ScheduleName(int index, WorkflowSchedule schedule) => $"schedule/{index}/{schedule.Fire}";

    /// <summary>
    /// Marks the timer fired (its concurrency token makes two nodes' claims collide) and arms its next repeat or
    /// schedule occurrence. False when it is no longer pending.
    /// </summary>
    private async Task<bool> ClaimTimerAsync(WorkflowInstance instance, WorkflowDefinition definition, Guid timerId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var timer = await db.WorkflowTimers.SingleOrDefaultAsync(t => t.Id == timerId && t.InstanceId == instance.Id, cancellationToken);
        if (timer is not { Status: TimerStatus.Pending })
        {
            return false;
        }

        timer.Status = TimerStatus.Fired;
        timer.FiredAt = now;
        var schedule = definition.Schedules.Select((s, i) => (s, i)).FirstOrDefault(p => ScheduleName(p.i, p.s) == timer.Name);
        if (schedule.s is not null)
        {
            if (!instance.IsFinished)
            {
                ArmSchedule(instance, schedule.s, schedule.i, timer.DueAt);
            }
        }
        else if (timer.RepeatsLeft > 0 && FindTimer(definition, timer.Name) is { } declared
            && WorkflowEngine.Repeat(new ArmedTimer(timer.Name, declared.State, timer.Trigger, timer.DueAt, timer.RepeatsLeft, declared), instance.TimeZone) is { } next)
        {
            Arm(instance, next.Key, next.Trigger, next.DueAt, next.RepeatsLeft);
        }

        return true;
    }

    private static DefinitionTimer? FindTimer(WorkflowDefinition definition, string key) =>
        definition.AllStates().SelectMany(s => s.Timers).FirstOrDefault(t => t.Key == key);

    private async Task<FireResult> RefuseAsync(WorkflowInstance instance, WorkflowDefinition definition, FireRequest request, TriggerAvailability availability, WorkflowActor role, CancellationToken cancellationToken)
    {
        var last = await LastEntryAsync(instance.Id, cancellationToken);
        if (last?.Trigger == request.Trigger)
        {
            return FireResult.Conflict(instance.State, await DescribeLastMoveAsync(instance, definition, cancellationToken));
        }

        var forbidden = !availability.AllowedRoles.Contains(role.Role) || !HasRoleFor(role);
        return new FireResult(forbidden ? FireOutcome.Forbidden : FireOutcome.NotPossible, instance.State, availability.WhyNot ?? $"{availability.Label} is not possible now.");
    }

    private async Task<FireResult?> ReplayAsync(FireRequest request, CancellationToken cancellationToken)
    {
        var entry = await db.WorkflowJournal.AsNoTracking().SingleOrDefaultAsync(j => j.IdempotencyKey == request.IdempotencyKey, cancellationToken);
        if (entry is null)
        {
            return null;
        }

        if (entry.InstanceId != request.InstanceId || entry.Trigger != request.Trigger)
        {
            return new FireResult(FireOutcome.Conflict, "", $"The key '{request.IdempotencyKey}' was already used for another action; send a new key for a new action.");
        }

        return new FireResult(FireOutcome.Replayed, entry.ToState, $"Already done at {entry.At:yyyy-MM-dd HH:mm} UTC: {entry.Summary}.", entry.Id);
    }

    /// <summary>After a failed save: the same key won (a replay), or someone else moved the instance (a conflict); null when neither explains it.</summary>
    private async Task<FireResult?> ExplainLostRaceAsync(FireRequest request, CancellationToken cancellationToken)
    {
        if (await ReplayAsync(request, cancellationToken) is { } replay)
        {
            return replay;
        }

        var instance = await db.WorkflowInstances.AsNoTracking().SingleOrDefaultAsync(i => i.Id == request.InstanceId, cancellationToken);
        if (instance is null)
        {
            return null;
        }

        if (request.TimerId is { } timerId && await db.WorkflowTimers.AnyAsync(t => t.Id == timerId && t.Status != TimerStatus.Pending, cancellationToken))
        {
            return new FireResult(FireOutcome.Replayed, instance.State, "This timer was fired by another node.");
        }

        var definition = definitions.Get(instance.DefinitionId, instance.DefinitionVersion);
        return FireResult.Conflict(instance.State, await DescribeLastMoveAsync(instance, definition, cancellationToken));
    }

    private async Task<string> DescribeLastMoveAsync(WorkflowInstance instance, WorkflowDefinition definition, CancellationToken cancellationToken)
    {
        var title = definition.FindState(instance.State)?.Title ?? instance.State;
        var last = await LastEntryAsync(instance.Id, cancellationToken);
        var who = last is null || last.Actor == WorkflowRoles.System ? "The orchestrator" : $"Someone else ({last.Actor})";
        return last is null
            ? $"This {definition.Subject} is at '{title}' now; reload to see what you can do."
            : $"{who} already moved this {definition.Subject} to '{title}' at {last.At.UtcDateTime:HH:mm} UTC ({last.Summary}); reload to see what you can do now.";
    }

    private Task<WorkflowJournalEntry?> LastEntryAsync(Guid instanceId, CancellationToken cancellationToken) =>
        db.WorkflowJournal.AsNoTracking().Where(j => j.InstanceId == instanceId).OrderByDescending(j => j.At).ThenByDescending(j => j.Id).FirstOrDefaultAsync(cancellationToken);

    private Task<WorkflowInstance?> FindInstanceAsync(string definitionId, Guid subjectId, CancellationToken cancellationToken) =>
        db.WorkflowInstances.AsNoTracking().SingleOrDefaultAsync(i => i.DefinitionId == definitionId && i.SubjectId == subjectId, cancellationToken);

    private void Reset()
    {
        db.ChangeTracker.Clear();
        newIntents.Clear();
        newTimers.Clear();
    }

    /// <summary>Tells Hangfire about the committed jobs and near timers. A crash before this loses nothing: the reconciler finds them.</summary>
    private async Task AfterCommitAsync(CancellationToken cancellationToken)
    {
        foreach (var intent in newIntents)
        {
            var jobId = jobs.Enqueue<WorkflowJobRunner>(runner => runner.RunAsync(intent.Id, CancellationToken.None));
            await db.WorkflowJobIntents.Where(i => i.Id == intent.Id).ExecuteUpdateAsync(s => s.SetProperty(i => i.BackgroundJobId, jobId), cancellationToken);
        }

        var now = clock.GetUtcNow();
        if (newTimers.Where(due => due - now < NearTimer).Select(due => (DateTimeOffset?)due).Min() is { } soonest)
        {
            jobs.Schedule<WorkflowTimerJob>(job => job.RunAsync(CancellationToken.None), soonest < now ? TimeSpan.Zero : soonest - now);
        }

        log.LogDebug("Committed {Jobs} job(s) and {Timers} timer(s)", newIntents.Count, newTimers.Count);
    }
}

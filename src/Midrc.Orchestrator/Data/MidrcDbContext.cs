using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Audit;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Clinical;
using Midrc.Orchestrator.Notifications;
using Midrc.Orchestrator.Qa;
using Midrc.Orchestrator.Releases;
using Midrc.Orchestrator.Sites;
using Midrc.Orchestrator.Solicitations;
using Midrc.Orchestrator.Submissions;
using Midrc.Orchestrator.Workflows;

namespace Midrc.Orchestrator.Data;

/// <summary>
/// The orchestrator's database: the source of truth for sites, submissions, workflows, timers, the
/// outbox and the audit log. One subclass per provider carries that provider's migrations. It also holds the
/// ASP.NET data protection keys, so every node behind a load balancer reads the cookies the others issued.
/// </summary>
public abstract class MidrcDbContext(DbContextOptions options) : DbContext(options), IDataProtectionKeyContext
{
    private const int UidLength = 64;
    private const int HashLength = 64;
    private const int NameLength = 200;
    private const int CodeLength = 32;
    private const int ObjectPathLength = 400;

    /// <summary>The longest reason a person may give (a waiver, a refusal, a review decision, an exclusion or a withdrawal).</summary>
    public const int ReasonLength = 2000;

    public DbSet<CollectionProgram> Programs => Set<CollectionProgram>();
    public DbSet<Site> Sites => Set<Site>();
    public DbSet<Person> People => Set<Person>();
    public DbSet<RoleAssignment> RoleAssignments => Set<RoleAssignment>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
    public DbSet<SignInLink> SignInLinks => Set<SignInLink>();
    public DbSet<Solicitation> Solicitations => Set<Solicitation>();
    public DbSet<Submission> Submissions => Set<Submission>();
    public DbSet<StoredObject> StoredObjects => Set<StoredObject>();
    public DbSet<ReceivedFile> ReceivedFiles => Set<ReceivedFile>();
    public DbSet<Study> Studies => Set<Study>();
    public DbSet<Series> Series => Set<Series>();
    public DbSet<Instance> Instances => Set<Instance>();
    public DbSet<ClinicalCase> ClinicalCases => Set<ClinicalCase>();
    public DbSet<ClinicalVisit> ClinicalVisits => Set<ClinicalVisit>();
    public DbSet<ClinicalProcedure> ClinicalProcedures => Set<ClinicalProcedure>();
    public DbSet<ClinicalMeasurement> ClinicalMeasurements => Set<ClinicalMeasurement>();
    public DbSet<ClinicalImagingStudy> ClinicalImagingStudies => Set<ClinicalImagingStudy>();
    public DbSet<QaFinding> Findings => Set<QaFinding>();
    public DbSet<DeidentificationReport> DeidentificationReports => Set<DeidentificationReport>();
    public DbSet<Release> Releases => Set<Release>();
    public DbSet<ReleaseItem> ReleaseItems => Set<ReleaseItem>();
    public DbSet<ReleaseExclusion> ReleaseExclusions => Set<ReleaseExclusion>();
    public DbSet<Withdrawal> Withdrawals => Set<Withdrawal>();
    public DbSet<ReleaseLease> ReleaseLeases => Set<ReleaseLease>();
    public DbSet<WorkflowInstance> WorkflowInstances => Set<WorkflowInstance>();
    public DbSet<WorkflowJournalEntry> WorkflowJournal => Set<WorkflowJournalEntry>();
    public DbSet<WorkflowTimer> WorkflowTimers => Set<WorkflowTimer>();
    public DbSet<WorkflowJobIntent> WorkflowJobIntents => Set<WorkflowJobIntent>();
    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();

    /// <inheritdoc />
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    /// <inheritdoc />
    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        PrepareForSave();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    /// <inheritdoc />
    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        PrepareForSave();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    private void PrepareForSave()
    {
        foreach (var entry in ChangeTracker.Entries())
        {
            if (entry.Entity is AuditEvent or WorkflowJournalEntry && entry.State is EntityState.Modified or EntityState.Deleted)
            {
                throw new InvalidOperationException(
                    $"{entry.Entity.GetType().Name} records are append-only: they cannot be changed or deleted.");
            }
            if (entry is { Entity: IVersioned versioned, State: EntityState.Modified })
            {
                versioned.Version++;
            }
        }
    }

    /// <inheritdoc />
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Enums are stored by name: readable in SQL, and safe when members are added.
        configurationBuilder.Properties<SiteStage>().HaveConversion<string>().HaveMaxLength(CodeLength);
        configurationBuilder.Properties<EmailPreference>().HaveConversion<string>().HaveMaxLength(CodeLength);
        configurationBuilder.Properties<Role>().HaveConversion<string>().HaveMaxLength(CodeLength);
        configurationBuilder.Properties<SolicitationStatus>().HaveConversion<string>().HaveMaxLength(CodeLength);
        configurationBuilder.Properties<SubmissionChannel>().HaveConversion<string>().HaveMaxLength(CodeLength);
        configurationBuilder.Properties<SubmissionStatus>().HaveConversion<string>().HaveMaxLength(CodeLength);
        configurationBuilder.Properties<QuarantineState>().HaveConversion<string>().HaveMaxLength(CodeLength);
        configurationBuilder.Properties<Curation.Findings.Severity>().HaveConversion<string>().HaveMaxLength(CodeLength);
        configurationBuilder.Properties<FindingStatus>().HaveConversion<string>().HaveMaxLength(CodeLength);
        configurationBuilder.Properties<DeidentificationOutcome>().HaveConversion<string>().HaveMaxLength(CodeLength);
        configurationBuilder.Properties<ReleaseState>().HaveConversion<string>().HaveMaxLength(CodeLength);
        configurationBuilder.Properties<ReleaseBuildStep>().HaveConversion<string>().HaveMaxLength(CodeLength);
        configurationBuilder.Properties<ReleaseChange>().HaveConversion<string>().HaveMaxLength(CodeLength);
        configurationBuilder.Properties<TimerStatus>().HaveConversion<string>().HaveMaxLength(CodeLength);
        configurationBuilder.Properties<WorkflowJobStatus>().HaveConversion<string>().HaveMaxLength(CodeLength);
        configurationBuilder.Properties<OutboxStatus>().HaveConversion<string>().HaveMaxLength(CodeLength);
    }

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        foreach (var type in modelBuilder.Model.GetEntityTypes().Where(t => typeof(IVersioned).IsAssignableFrom(t.ClrType)))
        {
            modelBuilder.Entity(type.ClrType).Property(nameof(IVersioned.Version)).IsConcurrencyToken();
        }

        modelBuilder.Entity<CollectionProgram>(e =>
        {
            e.Property(p => p.Code).HasMaxLength(CodeLength);
            e.Property(p => p.Name).HasMaxLength(NameLength);
            e.HasIndex(p => p.Code).IsUnique();
        });
        modelBuilder.Entity<Site>(e =>
        {
            e.Property(s => s.Code).HasMaxLength(CodeLength);
            e.Property(s => s.Name).HasMaxLength(NameLength);
            e.Property(s => s.Institution).HasMaxLength(NameLength);
            e.Property(s => s.Country).HasMaxLength(2);
            e.Property(s => s.TimeZone).HasMaxLength(64);
            e.HasIndex(s => s.Code).IsUnique();
            e.HasOne(s => s.Program).WithMany(p => p.Sites).HasForeignKey(s => s.ProgramId);
        });
        modelBuilder.Entity<Person>(e =>
        {
            e.Property(p => p.Email).HasMaxLength(320);
            e.Property(p => p.DisplayName).HasMaxLength(NameLength);
            e.Property(p => p.TimeZone).HasMaxLength(64);
            e.HasIndex(p => p.Email).IsUnique();
        });
        modelBuilder.Entity<RoleAssignment>(e =>
        {
            e.HasOne(r => r.Person).WithMany(p => p.Roles).HasForeignKey(r => r.PersonId);
            e.HasOne(r => r.Site).WithMany().HasForeignKey(r => r.SiteId);
            e.HasIndex(r => new { r.PersonId, r.Role, r.SiteId }).IsUnique();
        });
        modelBuilder.Entity<ApiToken>(e =>
        {
            e.Property(t => t.Name).HasMaxLength(NameLength);
            e.Property(t => t.Prefix).HasMaxLength(CodeLength);
            e.Property(t => t.Hash).HasMaxLength(HashLength);
            e.Property(t => t.CreatedBy).HasMaxLength(320);
            e.HasIndex(t => t.Hash).IsUnique();
            e.HasOne(t => t.Site).WithMany().HasForeignKey(t => t.SiteId);
        });
        modelBuilder.Entity<SignInLink>(e =>
        {
            e.Property(l => l.TokenHash).HasMaxLength(HashLength);
            e.HasIndex(l => l.TokenHash).IsUnique();
            e.HasIndex(l => new { l.PersonId, l.CreatedAt });
            e.HasOne(l => l.Person).WithMany().HasForeignKey(l => l.PersonId);
        });
        modelBuilder.Entity<Solicitation>(e =>
        {
            e.Property(s => s.Title).HasMaxLength(NameLength);
            e.Property(s => s.Modalities).HasMaxLength(CodeLength);
            e.Property(s => s.CreatedBy).HasMaxLength(320);
            e.HasOne(s => s.Site).WithMany().HasForeignKey(s => s.SiteId);
            e.HasIndex(s => new { s.SiteId, s.Status });
        });
        modelBuilder.Entity<Submission>(e =>
        {
            e.Property(s => s.SubmittedBy).HasMaxLength(320);
            e.HasOne(s => s.Site).WithMany().HasForeignKey(s => s.SiteId);
            e.HasOne(s => s.Solicitation).WithMany().HasForeignKey(s => s.SolicitationId);
            e.HasIndex(s => new { s.SiteId, s.Status });
        });
        modelBuilder.Entity<StoredObject>(e =>
        {
            e.HasKey(o => o.Sha256);
            e.Property(o => o.Sha256).HasMaxLength(HashLength);
            e.Property(o => o.Md5).HasMaxLength(32);
            e.Property(o => o.StorageKey).HasMaxLength(NameLength);
        });
        modelBuilder.Entity<ReceivedFile>(e =>
        {
            e.Property(f => f.Sha256).HasMaxLength(HashLength);
            e.Property(f => f.Name).HasMaxLength(1024);
            e.Property(f => f.Kind).HasConversion<string>().HasMaxLength(CodeLength);
            e.Property(f => f.ClinicalNode).HasMaxLength(CodeLength);
            e.Property(f => f.SopClassUid).HasMaxLength(UidLength);
            e.Property(f => f.SopInstanceUid).HasMaxLength(UidLength);
            e.HasIndex(f => new { f.SubmissionId, f.Sha256 }).IsUnique();
            e.HasOne(f => f.Submission).WithMany().HasForeignKey(f => f.SubmissionId);
        });
        modelBuilder.Entity<Study>(e =>
        {
            e.Property(s => s.StudyInstanceUid).HasMaxLength(UidLength);
            e.Property(s => s.PatientPseudonym).HasMaxLength(UidLength);
            e.HasIndex(s => new { s.SiteId, s.StudyInstanceUid }).IsUnique();
            e.HasIndex(s => s.StudyInstanceUid);
            e.HasOne(s => s.Site).WithMany().HasForeignKey(s => s.SiteId);
        });
        modelBuilder.Entity<Series>(e =>
        {
            e.Property(s => s.SeriesInstanceUid).HasMaxLength(UidLength);
            e.Property(s => s.Modality).HasMaxLength(16);
            e.Property(s => s.BodyPart).HasMaxLength(CodeLength);
            e.HasIndex(s => new { s.StudyId, s.SeriesInstanceUid }).IsUnique();
            e.HasOne(s => s.Study).WithMany(s => s.Series).HasForeignKey(s => s.StudyId);
        });
        modelBuilder.Entity<Instance>(e =>
        {
            e.Property(i => i.SopInstanceUid).HasMaxLength(UidLength);
            e.Property(i => i.SopClassUid).HasMaxLength(UidLength);
            e.Property(i => i.TransferSyntaxUid).HasMaxLength(UidLength);
            e.Property(i => i.Sha256).HasMaxLength(HashLength);
            e.HasIndex(i => i.SopInstanceUid);
            // A corrected file replaces an instance of the same submission under the same SOP Instance UID (the old one is superseded).
            e.HasIndex(i => new { i.SubmissionId, i.SopInstanceUid, i.Sha256 }).IsUnique();
            // Release collection pages through the verified instances in Id order.
            e.HasIndex(i => new { i.QuarantineState, i.Id });
            e.HasOne(i => i.Series).WithMany(s => s.Instances).HasForeignKey(i => i.SeriesId);
            e.HasOne(i => i.Submission).WithMany(s => s.Instances).HasForeignKey(i => i.SubmissionId);
            e.HasOne(i => i.Stored).WithMany().HasForeignKey(i => i.Sha256);
        });
        modelBuilder.Entity<ClinicalCase>(e =>
        {
            e.Property(c => c.CaseId).HasMaxLength(UidLength);
            e.Property(c => c.Zip3).HasMaxLength(3);
            e.HasIndex(c => new { c.SiteId, c.CaseId }).IsUnique();
            e.HasOne(c => c.Site).WithMany().HasForeignKey(c => c.SiteId);
            e.HasOne(c => c.Submission).WithMany().HasForeignKey(c => c.SubmissionId);
            e.HasMany(c => c.Visits).WithOne().HasForeignKey(v => v.CaseId);
            e.HasMany(c => c.Procedures).WithOne().HasForeignKey(p => p.CaseId);
            e.HasMany(c => c.Measurements).WithOne().HasForeignKey(m => m.CaseId);
            e.HasMany(c => c.ImagingStudies).WithOne().HasForeignKey(s => s.CaseId);
        });
        modelBuilder.Entity<ClinicalImagingStudy>(e => e.Property(s => s.StudyInstanceUid).HasMaxLength(UidLength));
        // Which submission last sent a row, indexed for replacing that submission's rows; no foreign key, since adding
        // one to an existing SQLite table rebuilds it outside a transaction.
        modelBuilder.Entity<ClinicalVisit>().HasIndex(v => v.SubmissionId);
        modelBuilder.Entity<ClinicalProcedure>().HasIndex(p => p.SubmissionId);
        modelBuilder.Entity<ClinicalMeasurement>().HasIndex(m => m.SubmissionId);
        modelBuilder.Entity<ClinicalImagingStudy>().HasIndex(s => s.SubmissionId);
        modelBuilder.Entity<QaFinding>(e =>
        {
            e.Property(f => f.Rule).HasMaxLength(NameLength);
            e.Property(f => f.StudyInstanceUid).HasMaxLength(UidLength);
            e.Property(f => f.SeriesInstanceUid).HasMaxLength(UidLength);
            e.Property(f => f.WaiverRequest).HasMaxLength(ReasonLength);
            e.Property(f => f.WaiverReason).HasMaxLength(ReasonLength);
            e.Property(f => f.ClosedBy).HasMaxLength(320);
            e.HasIndex(f => new { f.SubmissionId, f.Status });
            e.HasIndex(f => new { f.SiteId, f.Status });
            e.HasOne(f => f.Site).WithMany().HasForeignKey(f => f.SiteId);
            e.HasOne(f => f.Submission).WithMany().HasForeignKey(f => f.SubmissionId);
        });
        modelBuilder.Entity<DeidentificationReport>(e =>
        {
            e.Property(r => r.Profile).HasMaxLength(NameLength);
            e.Property(r => r.ReviewedBy).HasMaxLength(320);
            e.Property(r => r.ReviewReason).HasMaxLength(ReasonLength);
            // One verdict per instance: a retried verification job finds it instead of adding another.
            e.HasIndex(r => r.InstanceId).IsUnique();
            e.HasOne(r => r.Instance).WithMany().HasForeignKey(r => r.InstanceId);
        });
        modelBuilder.Entity<Release>(e =>
        {
            e.Property(r => r.Title).HasMaxLength(NameLength);
            e.Property(r => r.ManifestSha256).HasMaxLength(HashLength);
            e.Property(r => r.SequesteredManifestSha256).HasMaxLength(HashLength);
            e.Property(r => r.FailureReason).HasMaxLength(ReasonLength);
            e.HasIndex(r => new { r.ProgramId, r.Number }).IsUnique();
            e.HasOne(r => r.Program).WithMany().HasForeignKey(r => r.ProgramId);
        });
        modelBuilder.Entity<ReleaseItem>(e =>
        {
            e.Property(i => i.Sha256).HasMaxLength(HashLength);
            e.Property(i => i.Md5).HasMaxLength(HashLength);
            e.Property(i => i.SiteCode).HasMaxLength(CodeLength);
            e.Property(i => i.CaseId).HasMaxLength(NameLength);
            e.Property(i => i.StudyInstanceUid).HasMaxLength(UidLength);
            e.Property(i => i.SeriesInstanceUid).HasMaxLength(UidLength);
            e.Property(i => i.SopInstanceUid).HasMaxLength(UidLength);
            e.Property(i => i.Modality).HasMaxLength(CodeLength);
            e.Property(i => i.ObjectPath).HasMaxLength(ObjectPathLength);
            e.HasIndex(i => new { i.ReleaseId, i.InstanceId }).IsUnique();
            // The package is written in object path order, read in batches.
            e.HasIndex(i => new { i.ReleaseId, i.ObjectPath });
            e.HasIndex(i => i.InstanceId);
            e.HasOne(i => i.Release).WithMany(r => r.Items).HasForeignKey(i => i.ReleaseId);
            e.HasOne(i => i.Instance).WithMany().HasForeignKey(i => i.InstanceId);
        });
        modelBuilder.Entity<ReleaseExclusion>(e =>
        {
            e.Property(x => x.ExcludedBy).HasMaxLength(NameLength);
            e.Property(x => x.Reason).HasMaxLength(ReasonLength);
            e.HasIndex(x => new { x.ReleaseId, x.StudyId }).IsUnique();
            e.HasOne(x => x.Release).WithMany().HasForeignKey(x => x.ReleaseId);
            e.HasOne(x => x.Study).WithMany().HasForeignKey(x => x.StudyId);
        });
        modelBuilder.Entity<Withdrawal>(e =>
        {
            e.Property(x => x.CaseId).HasMaxLength(NameLength);
            e.Property(x => x.Reason).HasMaxLength(ReasonLength);
            e.Property(x => x.RecordedBy).HasMaxLength(NameLength);
            e.HasIndex(x => new { x.SiteId, x.CaseId }).IsUnique();
            e.HasOne(x => x.Site).WithMany().HasForeignKey(x => x.SiteId);
            e.HasOne<Release>().WithMany().HasForeignKey(x => x.ReleaseId);
        });
        modelBuilder.Entity<ReleaseLease>(e =>
        {
            e.HasKey(x => x.ProgramId);
            e.Property(x => x.Holder).HasMaxLength(NameLength);
            e.HasOne<CollectionProgram>().WithMany().HasForeignKey(x => x.ProgramId);
        });
        modelBuilder.Entity<WorkflowInstance>(e =>
        {
            e.Property(w => w.DefinitionId).HasMaxLength(NameLength);
            e.Property(w => w.SubjectType).HasMaxLength(CodeLength);
            e.Property(w => w.State).HasMaxLength(NameLength);
            e.Property(w => w.TimeZone).HasMaxLength(64);
            e.HasIndex(w => new { w.DefinitionId, w.State });
            e.HasIndex(w => new { w.DefinitionId, w.SubjectId }).IsUnique();
            e.HasIndex(w => new { w.SiteId, w.State });
        });
        modelBuilder.Entity<WorkflowJournalEntry>(e =>
        {
            e.Property(j => j.Actor).HasMaxLength(320);
            e.Property(j => j.FromState).HasMaxLength(NameLength);
            e.Property(j => j.ToState).HasMaxLength(NameLength);
            e.Property(j => j.Trigger).HasMaxLength(NameLength);
            e.Property(j => j.IdempotencyKey).HasMaxLength(NameLength);
            e.Property(j => j.Summary).HasMaxLength(NameLength);
            e.HasIndex(j => j.IdempotencyKey).IsUnique();
            e.HasIndex(j => new { j.InstanceId, j.At });
            e.HasOne(j => j.Instance).WithMany(w => w.Journal).HasForeignKey(j => j.InstanceId);
        });
        modelBuilder.Entity<WorkflowTimer>(e =>
        {
            e.Property(t => t.Name).HasMaxLength(NameLength);
            e.Property(t => t.Trigger).HasMaxLength(NameLength);
            e.HasIndex(t => new { t.Status, t.DueAt });
            e.HasIndex(t => new { t.InstanceId, t.Name });
            e.HasOne(t => t.Instance).WithMany(w => w.Timers).HasForeignKey(t => t.InstanceId);
        });
        modelBuilder.Entity<WorkflowJobIntent>(e =>
        {
            e.Property(j => j.Job).HasMaxLength(NameLength);
            e.Property(j => j.IdempotencyKey).HasMaxLength(NameLength);
            e.Property(j => j.BackgroundJobId).HasMaxLength(NameLength);
            e.Property(j => j.Outcome).HasMaxLength(1000);
            e.HasIndex(j => j.IdempotencyKey).IsUnique();
            e.HasIndex(j => new { j.Status, j.CreatedAt });
            e.HasOne(j => j.Instance).WithMany().HasForeignKey(j => j.InstanceId);
        });
        modelBuilder.Entity<OutboxMessage>(e =>
        {
            e.Property(m => m.IdempotencyKey).HasMaxLength(NameLength);
            e.Property(m => m.ToAddress).HasMaxLength(320);
            e.Property(m => m.ToName).HasMaxLength(NameLength);
            e.Property(m => m.Subject).HasMaxLength(998);
            e.Property(m => m.Template).HasMaxLength(NameLength);
            e.HasIndex(m => m.IdempotencyKey).IsUnique();
            e.HasIndex(m => new { m.Status, m.NextAttemptAt });
        });
        modelBuilder.Entity<AuditEvent>(e =>
        {
            e.Property(a => a.Actor).HasMaxLength(320);
            e.Property(a => a.Action).HasMaxLength(NameLength);
            e.Property(a => a.EntityType).HasMaxLength(CodeLength);
            e.Property(a => a.EntityId).HasMaxLength(NameLength);
            e.HasIndex(a => a.At);
            e.HasIndex(a => new { a.SiteId, a.At });
        });

        // Nothing received or recorded disappears as a side effect of deleting something else; this
        // also keeps SQL Server free of multiple cascade paths.
        foreach (var foreignKey in modelBuilder.Model.GetEntityTypes().SelectMany(t => t.GetForeignKeys()))
        {
            foreignKey.DeleteBehavior = DeleteBehavior.Restrict;
        }
    }
}

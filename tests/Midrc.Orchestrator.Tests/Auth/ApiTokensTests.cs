using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Audit;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Sites;
using Midrc.Orchestrator.Tests.Infrastructure;

namespace Midrc.Orchestrator.Tests.Auth;

public sealed class ApiTokensTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_token_works_until_revoked_and_only_its_hash_is_stored()
    {
        await using var db = await TestDatabases.CreateMigratedAsync(DatabaseProvider.Sqlite, _folder.Path);
        var now = DateTimeOffset.UtcNow;
        var program = new CollectionProgram { Code = "P", Name = "P", CreatedAt = now };
        db.AddRange(program, new Site { ProgramId = program.Id, Code = "UCH", Name = "U", Institution = "U", Country = "US", TimeZone = "America/Chicago", CreatedAt = now });
        await db.SaveChangesAsync();
        var tokens = new ApiTokens(db, new AuditTrail(db, TimeProvider.System), TimeProvider.System);

        var issued = await tokens.CreateAsync("UCH", "gateway", "pm@program.example", CancellationToken.None);

        issued.Token.ShouldStartWith("midrc_uch_");
        (await db.ApiTokens.SingleAsync()).Hash.ShouldNotContain(issued.Token[10..]);
        (await tokens.AuthenticateAsync(issued.Token, CancellationToken.None)).ShouldNotBeNull().Code.ShouldBe("UCH");
        (await tokens.AuthenticateAsync(issued.Token + "x", CancellationToken.None)).ShouldBeNull();
        (await tokens.RevokeAsync(issued.Id, "pm@program.example", CancellationToken.None)).ShouldBeTrue();
        (await tokens.AuthenticateAsync(issued.Token, CancellationToken.None)).ShouldBeNull();
        (await db.AuditEvents.Select(a => a.Action).ToListAsync()).ShouldBe(["token.created", "token.revoked"], ignoreOrder: true);
    }

    [Fact]
    public async Task Creating_a_token_for_an_unknown_site_says_how_to_find_the_codes()
    {
        await using var db = await TestDatabases.CreateMigratedAsync(DatabaseProvider.Sqlite, _folder.Path);
        var tokens = new ApiTokens(db, new AuditTrail(db, TimeProvider.System), TimeProvider.System);

        var error = await Should.ThrowAsync<KeyNotFoundException>(() => tokens.CreateAsync("NOPE", "x", "pm", CancellationToken.None));

        error.Message.ShouldContain("midrc sites list");
    }
}

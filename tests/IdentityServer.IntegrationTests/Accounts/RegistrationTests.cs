using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IdentityHost.IdentityServer.Entities;
using IdentityHost.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityHost.IdentityServer.IntegrationTests.Accounts;

/// <summary><c>POST /api/auth/register</c>: every answer of the contract, on each database.</summary>
public abstract class RegistrationTests(IdentityServerFixture fixture) : ServerTests(fixture)
{
    [Fact]
    public async Task CanRegisterUser()
    {
        var userName = IdentityServerFixture.NewUserName();

        using var response = await IdentityServerFixture.RegisterAsync(Client, userName, IdentityServerFixture.NewPassword());

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var id = body.GetProperty("id").GetString();
        Assert.False(string.IsNullOrEmpty(id));
        Assert.Equal(userName, body.GetProperty("username").GetString());
        Assert.Equal(["user"], body.GetProperty("roles").EnumerateArray().Select(role => role.GetString()));
        Assert.Equal($"/api/users/{id}", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task RegisterReturns409GivenNameTakenInAnotherCase()
    {
        var (userName, _) = await IdentityServerFixture.CreateUserAsync(Client);

        using var response = await IdentityServerFixture.RegisterAsync(
            Client, userName.ToUpperInvariant(), IdentityServerFixture.NewPassword());

        var problem = await Problem.ReadAsync(response, HttpStatusCode.Conflict);
        Assert.Equal("Username already taken", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task RegisterTrimsAndNormalizesUserName()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        // Note: fullwidth letters are NFKC-equivalent to ASCII ones; the stored name is the normalized form.
        var fullwidth = "  ＡＬＩＣＥ" + suffix + "\t";

        using var created = await IdentityServerFixture.RegisterAsync(Client, fullwidth, IdentityServerFixture.NewPassword());
        using var duplicate = await IdentityServerFixture.RegisterAsync(Client, "alice" + suffix, IdentityServerFixture.NewPassword());

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal("ALICE" + suffix, body.GetProperty("username").GetString());
        await Problem.ReadAsync(duplicate, HttpStatusCode.Conflict);
    }

    [Theory]
    [InlineData("", "body")]
    [InlineData("{", "body")]
    [InlineData("[1,2]", "body")]
    [InlineData("null", "body")]
    [InlineData("""{"password":"correct horse battery staple"}""", "username")]
    [InlineData("""{"username":"   ","password":"correct horse battery staple"}""", "username")]
    [InlineData("""{"username":"ab","password":"correct horse battery staple"}""", "username")]
    [InlineData("""{"username":"has space","password":"correct horse battery staple"}""", "username")]
    [InlineData("""{"username":"slash/name","password":"correct horse battery staple"}""", "username")]
    [InlineData("""{"username":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","password":"correct horse battery staple"}""", "username")]
    [InlineData("""{"username":12345,"password":"correct horse battery staple"}""", "username")]
    [InlineData("""{"username":"valid-name"}""", "password")]
    [InlineData("""{"username":"valid-name","password":""}""", "password")]
    [InlineData("""{"username":"valid-name","password":"fourteen chars"}""", "password")]
    [InlineData("""{"username":"valid-name","password":true}""", "password")]
    [InlineData("""{"username":"valid-name","password":"correct horse battery staple","role":"superuser"}""", "role")]
    [InlineData("""{"username":"a","username":"b","password":"correct horse battery staple"}""", "username")]
    // Note: regression: text .NET cannot normalize (U+FFFE, lone surrogates) was a 500; the fuzz tests found it.
    [InlineData("""{"username":"valid-name","password":"correct horse\uFFFEbattery staple"}""", "password")]
    [InlineData("""{"username":"valid\uFFFEname","password":"correct horse battery staple"}""", "username")]
    public async Task RegisterReturns400NamingTheBadField(string json, string field)
    {
        var usersBefore = await CountUsersAsync();
        using var content = new StringContent(json, Encoding.UTF8, "application/json");

        using var response = await Client.PostAsync("/api/auth/register", content, TestContext.Current.CancellationToken);

        var problem = await Problem.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(field, Problem.ErrorFields(problem));
        Assert.Equal(usersBefore, await CountUsersAsync());
    }

    [Fact]
    public async Task RegisterReturns400GivenPasswordOverMaximumLength()
    {
        using var response = await IdentityServerFixture.RegisterAsync(
            Client, IdentityServerFixture.NewUserName(), new string('p', 129));

        var problem = await Problem.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(["password"], Problem.ErrorFields(problem));
    }

    [Fact]
    public async Task RegisterAcceptsPasswordsAtTheLengthLimitsWithoutCompositionRules()
    {
        using var shortest = await IdentityServerFixture.RegisterAsync(Client, IdentityServerFixture.NewUserName(), "allsmallletters");
        using var longest = await IdentityServerFixture.RegisterAsync(Client, IdentityServerFixture.NewUserName(), new string('€', 128));

        Assert.Equal(HttpStatusCode.Created, shortest.StatusCode);
        Assert.Equal(HttpStatusCode.Created, longest.StatusCode);
    }

    [Fact]
    public async Task RegisterReturns415GivenFormBody()
    {
        using var content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = IdentityServerFixture.NewUserName(),
            ["password"] = IdentityServerFixture.NewPassword(),
        });

        using var response = await Client.PostAsync("/api/auth/register", content, TestContext.Current.CancellationToken);

        await Problem.ReadAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task RegisterReturns403GivenAnonymousCallerAskingForAdmin()
    {
        var userName = IdentityServerFixture.NewUserName();

        using var response = await IdentityServerFixture.RegisterAsync(Client, userName, IdentityServerFixture.NewPassword(), "admin");

        await Problem.ReadAsync(response, HttpStatusCode.Forbidden);
        Assert.False(await UserExistsAsync(userName));
    }

    [Fact]
    public async Task RegisterReturns403GivenUserTokenAskingForAdmin()
    {
        var token = await Fixture.GetAccessTokenAsync(Client);

        using var response = await IdentityServerFixture.RegisterAsync(
            Client, IdentityServerFixture.NewUserName(), IdentityServerFixture.NewPassword(), "admin", token);

        await Problem.ReadAsync(response, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task AdminCanRegisterAdmin()
    {
        var token = await Fixture.GetAccessTokenAsync(Client, admin: true);
        var userName = IdentityServerFixture.NewUserName();

        using var response = await IdentityServerFixture.RegisterAsync(
            Client, userName, IdentityServerFixture.NewPassword(), "Admin", token);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(["admin"], body.GetProperty("roles").EnumerateArray().Select(role => role.GetString()));
    }

    [Fact]
    public async Task ParallelRegistrationsOfOneNameGiveOneCreatedAndTheRestConflict()
    {
        var userName = IdentityServerFixture.NewUserName();

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            IdentityServerFixture.RegisterAsync(Client, userName, IdentityServerFixture.NewPassword())));

        var statuses = responses.Select(response => response.StatusCode).ToList();
        foreach (var response in responses)
        {
            response.Dispose();
        }

        Assert.Equal(1, statuses.Count(status => status == HttpStatusCode.Created));
        Assert.Equal(19, statuses.Count(status => status == HttpStatusCode.Conflict));
    }

    [Fact]
    public async Task ParallelRegistrationsAndLoginsAllSucceed()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);

        var registrations = Enumerable.Range(0, 20).Select(async _ =>
        {
            using var response = await IdentityServerFixture.RegisterAsync(
                Client, IdentityServerFixture.NewUserName(), IdentityServerFixture.NewPassword());
            return response.StatusCode == HttpStatusCode.Created ? null : await response.Content.ReadAsStringAsync();
        });
        var logins = Enumerable.Range(0, 20).Select(async _ =>
        {
            var token = await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password);
            return token.IsError ? $"{token.HttpStatusCode} {token.Raw}" : null;
        });

        var failures = (await Task.WhenAll(registrations.Concat(logins))).Where(failure => failure is not null).ToList();

        Assert.Empty(failures);
    }

    [Fact]
    public async Task UserCanReadOwnAccountButNotAnothers()
    {
        var (userName, password) = await IdentityServerFixture.CreateUserAsync(Client);
        var other = await IdentityServerFixture.CreateUserAsync(Client);
        var token = (await IdentityServerFixture.RequestPasswordTokenAsync(Client, userName, password)).AccessToken!;
        var ownId = await GetUserIdAsync(userName);
        var otherId = await GetUserIdAsync(other.UserName);

        using var own = new HttpRequestMessage(HttpMethod.Get, $"/api/users/{ownId}");
        own.Headers.Authorization = new("Bearer", token);
        using var ownResponse = await Client.SendAsync(own, TestContext.Current.CancellationToken);
        using var foreign = new HttpRequestMessage(HttpMethod.Get, $"/api/users/{otherId}");
        foreign.Headers.Authorization = new("Bearer", token);
        using var foreignResponse = await Client.SendAsync(foreign, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, ownResponse.StatusCode);
        var body = await ownResponse.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(userName, body.GetProperty("username").GetString());
        await Problem.ReadAsync(foreignResponse, HttpStatusCode.Forbidden);
    }

    private async Task<bool> UserExistsAsync(string userName) => await GetUserIdAsync(userName) is not null;

    private async Task<string?> GetUserIdAsync(string userName)
    {
        await using var scope = Fixture.Host.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<ApplicationUser>>();
        return (await users.FindByNameAsync(userName))?.Id;
    }
}

/// <summary>The tests above on SQLite.</summary>
public sealed class SqliteRegistrationTests(SqliteServerFixture fixture)
    : RegistrationTests(fixture), IClassFixture<SqliteServerFixture>;

/// <summary>The tests above on MariaDB/MySQL.</summary>
public sealed class MySqlRegistrationTests(MySqlServerFixture fixture)
    : RegistrationTests(fixture), IClassFixture<MySqlServerFixture>;

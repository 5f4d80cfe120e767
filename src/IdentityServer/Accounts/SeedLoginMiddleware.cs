using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityHost.IdentityServer.Accounts;

/// <summary>
/// Keeps the seed project's <c>POST /api/auth/login</c> (JSON body) working without a second token-issuing
/// path: the request is rewritten into a password-grant request to <c>/connect/token</c> for the configured
/// first-party client, and OpenIddict's OAuth error answer is translated into a problem-details answer
/// (401 for bad credentials). Success answers are passed through unchanged.
/// </summary>
internal sealed class SeedLoginMiddleware(RequestDelegate next)
{
    public const string Path = "/api/auth/login";
    private const string TokenPath = "/connect/token";

    public async Task InvokeAsync(HttpContext context, IOptions<AccountOptions> options)
    {
        if (!HttpMethods.IsPost(context.Request.Method) || !context.Request.Path.Equals(Path, StringComparison.OrdinalIgnoreCase))
        {
            await next(context);
            return;
        }

        if (string.IsNullOrWhiteSpace(options.Value.LoginClientId))
        {
            await Problem(context, StatusCodes.Status404NotFound, "Not found",
                "The seed login is not enabled on this server; use the OAuth 2.0 token endpoint.");
            return;
        }

        if (!JsonBody.HasAcceptableContentType(context.Request))
        {
            await Problem(context, StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "Send the login as application/json.");
            return;
        }

        var (body, errors) = await JsonBody.ReadAsync<LoginRequest>(context.Request);
        if (body is not null && string.IsNullOrWhiteSpace(body.Username))
        {
            errors = new() { ["username"] = ["A username is required."] };
        }

        if (body is null || errors is not null)
        {
            await Results.ValidationProblem(errors!, title: "The login request is not valid.").ExecuteAsync(context);
            return;
        }

        var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            [Parameters.GrantType] = GrantTypes.Password,
            [Parameters.ClientId] = options.Value.LoginClientId,
            [Parameters.Username] = body.Username!,
            [Parameters.Password] = body.Password ?? string.Empty,
            [Parameters.Scope] = options.Value.LoginScope,
        });
        var formBytes = await form.ReadAsByteArrayAsync(context.RequestAborted);

        var originalPath = context.Request.Path;
        var originalBody = context.Response.Body;
        await using var buffer = new MemoryStream();

        context.Request.Path = TokenPath;
        context.Request.Body = new MemoryStream(formBytes);
        context.Request.ContentType = "application/x-www-form-urlencoded";
        context.Request.ContentLength = formBytes.Length;
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        finally
        {
            context.Request.Path = originalPath;
            context.Response.Body = originalBody;
        }

        if (context.Response.StatusCode == StatusCodes.Status200OK)
        {
            buffer.Position = 0;
            await buffer.CopyToAsync(originalBody, context.RequestAborted);
            return;
        }

        var (error, description) = ReadOAuthError(buffer.ToArray());
        var status = error == Errors.InvalidGrant ? StatusCodes.Status401Unauthorized : context.Response.StatusCode;
        context.Response.Clear();
        await Problem(context, status,
            status == StatusCodes.Status401Unauthorized ? "Invalid credentials" : "Login failed",
            description ?? error ?? "The login failed.");
    }

    private static (string? Error, string? Description) ReadOAuthError(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            return (
                root.TryGetProperty(Parameters.Error, out var error) ? error.GetString() : null,
                root.TryGetProperty(Parameters.ErrorDescription, out var description) ? description.GetString() : null);
        }
        catch (JsonException)
        {
            return (null, body.Length == 0 ? null : Encoding.UTF8.GetString(body));
        }
    }

    private static Task Problem(HttpContext context, int status, string title, string detail) =>
        Results.Problem(statusCode: status, title: title, detail: detail).ExecuteAsync(context);
}

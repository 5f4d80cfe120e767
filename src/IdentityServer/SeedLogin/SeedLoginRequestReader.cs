using System.Text.Json;
using IdentityHost.IdentityServer.Accounts;
using IdentityHost.IdentityServer.Common;
using Microsoft.AspNetCore;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace IdentityHost.IdentityServer.SeedLogin;

/// <summary>
/// Reads a token request: at the seed login (<c>POST /api/auth/login</c>, a JSON body), as the password grant of the
/// client named by <c>Accounts:LoginClientId</c>; anywhere else, as OpenIddict does (a form). Note: it takes the place
/// of OpenIddict's own form reader for the token endpoint, so the seed login is the token endpoint at a second address
/// (one path that issues tokens), with JSON in and, for errors, problem details out (<see cref="SeedLoginResponseWriter"/>).
/// </summary>
internal sealed class SeedLoginRequestReader(IOptions<AccountOptions> accounts, IOptions<JsonOptions> json)
    : IOpenIddictServerHandler<ExtractTokenRequestContext>
{
    private static readonly OpenIddictServerAspNetCoreHandlers.ExtractPostRequest<ExtractTokenRequestContext> FormReader = new();

    /// <summary>Takes the order of OpenIddict's form reader, which <see cref="SeedLoginExtensions.AddSeedLogin"/> removes.</summary>
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ExtractTokenRequestContext>()
            .AddFilter<OpenIddictServerAspNetCoreHandlerFilters.RequireHttpRequest>()
            .UseSingletonHandler<SeedLoginRequestReader>()
            .SetOrder(OpenIddictServerAspNetCoreHandlers.ExtractPostRequest<ExtractTokenRequestContext>.Descriptor.Order)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    /// <summary>Whether <paramref name="request"/> is addressed to the seed login.</summary>
    public static bool IsSeedLogin(HttpRequest request) => request.Path.Equals(RouteNames.SeedLoginPath, StringComparison.OrdinalIgnoreCase);

    public async ValueTask HandleAsync(ExtractTokenRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.Transaction.GetHttpRequest() ?? throw new InvalidOperationException("The HTTP request is missing.");
        if (!IsSeedLogin(http))
        {
            await FormReader.HandleAsync(context);
            return;
        }

        var clientId = accounts.Value.LoginClientId;
        if (string.IsNullOrWhiteSpace(clientId))
        {
            await AnswerAsync(context, ErrorResponses.Problem(StatusCodes.Status404NotFound, "Not found",
                "The seed login is not enabled on this server; use the OAuth 2.0 token endpoint."));
            return;
        }

        if (!HttpMethods.IsPost(http.Method) || !http.HasJsonContentType())
        {
            await AnswerAsync(context, ErrorResponses.Problem(StatusCodes.Status415UnsupportedMediaType,
                JsonRequests.UnsupportedMediaTypeTitle, "Send the login as application/json."));
            return;
        }

        SeedLoginRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<SeedLoginRequest>(http.Body, json.Value.SerializerOptions, context.CancellationToken);
        }
        catch (JsonException exception)
        {
            await AnswerAsync(context, Results.ValidationProblem(JsonRequests.Describe(exception), title: "The login request is not valid."));
            return;
        }

        var errors = body is null
            ? new Dictionary<string, string[]> { ["body"] = ["A JSON object is required."] }
            : RequestValidation.Validate(body);
        if (errors is not null)
        {
            await AnswerAsync(context, Results.ValidationProblem(errors, title: "The login request is not valid."));
            return;
        }

        context.Transaction.Request = new OpenIddictRequest
        {
            GrantType = GrantTypes.Password,
            ClientId = clientId,
            Username = body!.Username,
            Password = body.Password ?? string.Empty,
            Scope = accounts.Value.LoginScope,
        };
        if (!string.IsNullOrEmpty(body.Totp))
        {
            // Note: the password grant's own parameter for the second factor (the token endpoint reads it).
            context.Transaction.Request["totp"] = body.Totp;
        }
    }

    private static async Task AnswerAsync(ExtractTokenRequestContext context, IResult result)
    {
        await result.ExecuteAsync(context.Transaction.GetHttpRequest()!.HttpContext);
        context.HandleRequest();
    }
}

using System.Security.Cryptography;
using IdentityHost.IdentityServer.Common;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace IdentityHost.IdentityServer.Api;

/// <summary>
/// The OpenAPI document of the server's JSON APIs (<c>/openapi/v1.json</c>, from Microsoft.AspNetCore.OpenApi), and in
/// Development a reference page (<c>/scalar</c>). The OAuth endpoints under <c>/connect</c> are not in it: discovery
/// (RFC 8414) describes them, and their form-encoded requests are the specifications' business.
/// </summary>
public static class ApiDocumentation
{
    /// <summary>The document's address.</summary>
    public const string DocumentPath = "/openapi/v1.json";

    private const string BearerScheme = "Bearer";

    /// <summary>
    /// Adds the document: every <c>/api</c> route with its request and response types, plus the answers the
    /// pipeline gives on an endpoint's behalf (401 and 403 where a token is needed, 400 and 415 for a JSON body, 429
    /// under a rate limit, 503 while the database is unreachable), each as problem details, and the problems each
    /// endpoint declares (<see cref="ProblemAnswerExtensions.Answers"/>).
    /// </summary>
    public static IHostApplicationBuilder AddApiDocumentation(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOpenApi(options =>
        {
            options.ShouldInclude = description => description.RelativePath?.StartsWith("api/", StringComparison.Ordinal) == true;
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "IdentityHost";
                document.Info.Description =
                    "The identity server's JSON APIs. The OAuth 2.0 and OpenID Connect endpoints are described by " +
                    "/.well-known/openid-configuration.";
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "JWT",
                    Description = "An access token from this server's /connect/token.",
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer(DescribePipelineAnswers);
        });
        return builder;
    }

    /// <summary>Maps the document, and in Development the reference page that reads it.</summary>
    public static WebApplication MapApiDocumentation(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapOpenApi(DocumentPath).AllowAnonymous();
        if (app.Environment.IsDevelopment())
        {
            // Note: the page runs Scalar's script, served from here; its inline start-up script gets a fresh nonce,
            // which the Content-Security-Policy of this one page allows (ContentSecurity.ScriptSourcesItem). Hex, so the
            // page's HTML encoding leaves it as it is.
            app.MapScalarApiReference((options, context) =>
            {
                var nonce = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
                context.Items[ContentSecurity.ScriptSourcesItem] = $"'self' 'nonce-{nonce}'";
                options.WithNonce(nonce).DisableDefaultFonts().WithOpenApiRoutePattern(DocumentPath);
            }).AllowAnonymous();
        }

        return app;
    }

    private static Task DescribePipelineAnswers(
        OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        operation.Responses ??= new OpenApiResponses();
        var authorized = metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any();
        if (authorized)
        {
            Add(operation, StatusCodes.Status401Unauthorized, "No valid access token (the Bearer challenge says why).");
            Add(operation, StatusCodes.Status403Forbidden, "The token's user or client may not do this.");
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] });
        }

        if (context.Description.ParameterDescriptions.Any(parameter => parameter.Source.Id == "Body") ||
            metadata.OfType<IAcceptsMetadata>().Any(accepts => accepts.ContentTypes.Contains("application/json")))
        {
            Add(operation, StatusCodes.Status400BadRequest, "The body is not valid JSON or fails validation (problem details with errors).");
            Add(operation, StatusCodes.Status415UnsupportedMediaType, "The body is not application/json.");
        }

        if (metadata.OfType<EnableRateLimitingAttribute>().Any())
        {
            Add(operation, StatusCodes.Status429TooManyRequests, "Over the rate limit; Retry-After says when to try again.");
        }

        Add(operation, StatusCodes.Status503ServiceUnavailable, "The database cannot be reached; Retry-After says when to try again.");
        foreach (var problem in metadata.OfType<ProblemAnswer>())
        {
            Add(operation, problem.StatusCode, problem.Description);
        }

        return Task.CompletedTask;
    }

    private static void Add(OpenApiOperation operation, int statusCode, string description)
    {
        var key = statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (operation.Responses!.TryGetValue(key, out var existing) && existing is OpenApiResponse { Content.Count: > 0 })
        {
            return;
        }

        operation.Responses[key] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() },
        };
    }
}

/// <summary>An error answer an endpoint gives as problem details, for its OpenAPI description.</summary>
/// <param name="StatusCode">The status code.</param>
/// <param name="Description">When it is given.</param>
public sealed record ProblemAnswer(int StatusCode, string Description);

/// <summary>Declares an endpoint's problem answers in its OpenAPI description.</summary>
public static class ProblemAnswerExtensions
{
    /// <summary>Adds a <see cref="ProblemAnswer"/> to the endpoint's metadata.</summary>
    public static TBuilder Answers<TBuilder>(this TBuilder builder, int statusCode, string description)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithMetadata(new ProblemAnswer(statusCode, description));
    }
}

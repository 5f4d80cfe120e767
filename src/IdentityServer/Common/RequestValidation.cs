using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json;

namespace IdentityHost.IdentityServer.Common;

/// <summary>
/// The one validation of the JSON APIs' request records: the data-annotation attributes on their properties, checked
/// before the handler runs, a failure answered as a 400 validation problem keyed by the JSON (camel-case) field names.
/// </summary>
/// <remarks>
/// Note: a filter of our own rather than .NET 10's <c>AddValidation</c>, whose source generator also treats the
/// handlers' service parameters (<c>UserManager</c>, <c>SignInManager</c>) as types to validate and answered
/// OpenIddict's passthrough endpoints with a bare 400.
/// </remarks>
public static class RequestValidation
{
    private static readonly ConcurrentDictionary<Type, bool> Validatable = new();

    /// <summary>
    /// Validates every argument of the group's endpoints whose type declares validation attributes (the request
    /// records; services and route values have none) before the handler runs.
    /// </summary>
    public static TBuilder WithRequestValidation<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddEndpointFilterFactory((factory, next) =>
        {
            var positions = factory.MethodInfo.GetParameters()
                .Where(parameter => IsValidatable(parameter.ParameterType))
                .Select(parameter => parameter.Position)
                .ToArray();
            return positions.Length == 0
                ? next
                : async invocation =>
                {
                    foreach (var position in positions)
                    {
                        if (invocation.Arguments[position] is { } argument && Validate(argument) is { } errors)
                        {
                            return TypedResults.ValidationProblem(errors, title: ErrorResponses.ValidationTitle);
                        }
                    }

                    return await next(invocation);
                };
        });
        return builder;
    }

    /// <summary>The field errors of <paramref name="request"/>, keyed by JSON field name, or null when it is valid.</summary>
    public static IDictionary<string, string[]>? Validate(object request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var results = new List<ValidationResult>();
        if (Validator.TryValidateObject(request, new ValidationContext(request), results, validateAllProperties: true))
        {
            return null;
        }

        return results
            .SelectMany(result => result.MemberNames.DefaultIfEmpty("body").Select(member => (Field: member, Message: result.ErrorMessage ?? "Not valid.")))
            .GroupBy(error => JsonNamingPolicy.CamelCase.ConvertName(error.Field), error => error.Message)
            .ToDictionary(group => group.Key, group => group.Distinct().ToArray());
    }

    private static bool IsValidatable(Type type) => Validatable.GetOrAdd(type, candidate =>
        candidate.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Any(property => property.IsDefined(typeof(ValidationAttribute), inherit: true)));
}

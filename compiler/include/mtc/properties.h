// The properties of declarations and statements (properties.def), as a table.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mtc {

// What a property block belongs to.
enum class PropOwner : uint8_t {
  Model, Stage, Source, Param, Metric, Relation, Constraint, Event, Goal,
  Describe, Diagnose, Forecast, Simulate, Seek, Recommend, Optimize
};
// "the model", "a metric", "`diagnose`": for messages.
std::string propOwnerText(PropOwner o);
// The keyword that introduces it ("model", "metric", "diagnose", "stage").
std::string_view propOwnerKeyword(PropOwner o);

enum class PropType : uint8_t { Word, Words, String, Strings, Whole, Fraction, Period, Grain, Duration, Column, Choice, Roles, Classes, Expr };

enum class PropId : uint16_t {
#define PROPERTY(owner, name, ...) owner##_##name,
#include "mtc/properties.def"
#undef PROPERTY
};

struct PropertyInfo {
  PropId id;
  PropOwner owner;
  std::string_view name;
  PropType type;
  double lo, hi;
  std::string_view choices;  // space-separated words (PropType::Choice)
  std::string_view doc;
};

const std::vector<PropertyInfo>& properties();
const PropertyInfo& propertyInfo(PropId id);
const PropertyInfo* findProperty(PropOwner owner, std::string_view name);
std::vector<std::string> propertyNames(PropOwner owner);
// The words a Choice property accepts, in order (index = the IR enum's value).
std::vector<std::string> choicesOf(PropId id);
// The k-th choice of a Choice property ("?" out of range).
const char* choiceName(PropId id, size_t k);
// "a whole number from 1 to 1,000,000", "one of shapley, lmdi": what a value must be.
std::string propertyExpects(const PropertyInfo& p);

}  // namespace mtc

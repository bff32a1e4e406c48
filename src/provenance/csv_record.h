#pragma once
//! CsvRecord: one RFC 4180 record, fed a line at a time so that a quoted field may span lines.
//! Fields are kept in reused strings, so parsing allocates only while the record shape grows.
//! Lenient in one place: a quote inside an unquoted field is kept as a literal character.

#include <string>
#include <string_view>
#include <vector>

namespace sluice {

class CsvRecord {
 public:
  enum class State {
    kDone,      // the record is complete
    kNeedMore,  // the line ended inside a quoted field: Feed the next line
    kBadQuote,  // a character other than ',' follows a closing quote
  };

  //! Starts a new record.
  void Begin();
  //! Feeds the next line (without its line break) of the record begun with Begin().
  State Feed(std::string_view line);

  size_t size() const { return count_; }
  std::string_view field(size_t i) const { return fields_[i]; }

 private:
  std::string& current() { return fields_[count_ - 1]; }
  void NewField();

  std::vector<std::string> fields_;
  size_t count_ = 0;
  bool in_quotes_ = false;
  bool after_quote_ = false;  // the current field's closing quote has been read
  bool field_start_ = true;   // nothing of the current field has been read
};

}  // namespace sluice
